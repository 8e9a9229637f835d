"""FastAPI dependencies: authenticate the bearer token, then demand roles, scopes or a fresh MFA."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.principal import Principal
from shared.auth.verify import TokenVerifier
from shared.context import update_context
from shared.errors import Forbidden, StepUpRequired, Unauthenticated

_bearer = HTTPBearer(auto_error=False)

STEP_UP_MAX_AGE_SECONDS = 300  # a "fresh" TOTP proof: at most five minutes old


async def current_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer access token is required")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(credentials.credentials)
    update_context(actor=principal.subject, credential=principal.token_id or principal.client_id)
    request.state.principal = principal
    return principal


def require_role(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Any of `roles` (in any jurisdiction; handlers check the jurisdiction of the object)."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not any(principal.has_role(r) for r in roles):
            raise Forbidden(f"requires one of the roles: {', '.join(roles)}")
        return principal

    return dependency


def require_scope(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        missing = [s for s in scopes if s not in principal.scopes]
        if missing:
            raise Forbidden(f"missing scope: {' '.join(missing)}")
        return principal

    return dependency


def require_step_up(max_age_seconds: int = STEP_UP_MAX_AGE_SECONDS) -> Callable[..., Awaitable[Principal]]:
    """A TOTP proof no older than `max_age_seconds` (amr contains "otp" and auth_time is recent)."""

    async def dependency(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
        clock = getattr(request.app.state, "clock", None)
        now = clock.now() if clock is not None else datetime.now(UTC)
        age = principal.mfa_age_seconds(now)
        if age is None or age > max_age_seconds:
            raise StepUpRequired(
                "this action needs a fresh one-time code: request a step-up token",
                max_age_seconds=max_age_seconds,
            )
        return principal

    return dependency
