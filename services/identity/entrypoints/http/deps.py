"""What the identity routes share: the service container, the caller's origin, the OAuth runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import Request

from services.identity.application.authentication import Origin
from services.identity.application.services import IdentityServices
from services.identity.application.verification import LocalVerifier
from services.identity.domain.errors import DomainError, InvalidInput, Unauthenticated
from services.identity.entrypoints.oauth.server import CapregAuthorizationServer, HttpRequest, OAuthCall

OAuthResult = tuple[int, Any, list[tuple[str, str]]]


@dataclass
class IdentityState:
    svc: IdentityServices
    verifier: LocalVerifier


def identity(request: Request) -> IdentityState:
    state: IdentityState = request.app.state.identity
    return state


def origin(request: Request) -> Origin:
    return Origin(ip=request.client.host if request.client else None,
                  user_agent=request.headers.get("user-agent", "")[:400] or None)


async def form_items(request: Request) -> list[tuple[str, str]]:
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


async def run_oauth(
    request: Request,
    action: Callable[[CapregAuthorizationServer, HttpRequest], Any],
    *,
    form: list[tuple[str, str]],
    query: list[tuple[str, str]] | None = None,
) -> tuple[Any, OAuthCall]:
    """Run authlib's synchronous core in a worker thread on one unit of work, then commit.

    The transaction is committed even when the request is refused: a refusal may have
    effects that must stick (a failed attempt counted, a reused refresh token's family revoked).
    """
    st = identity(request)
    oauth_request = HttpRequest(request.method, str(request.url), request.headers,
                                query if query is not None else list(request.query_params.multi_items()), form)
    uow = st.svc.uow_factory()
    async with uow:
        uow.defer_audits()
        call = OAuthCall(uow=uow, svc=st.svc, verifier=st.verifier, origin=origin(request))
        try:
            result = await anyio.to_thread.run_sync(lambda: action(CapregAuthorizationServer(call), oauth_request))
        except DomainError:
            await uow.commit()
            raise
        await uow.commit()
    return result, call


class InvalidGrant(Unauthenticated):
    """The grant (credentials, refresh token or code) is invalid, expired or revoked."""

    code = "invalid_grant"


class InvalidScope(InvalidInput):
    """The requested scope is not allowed for this client."""

    code = "invalid_scope"


def oauth_refusal(body: dict[str, Any], call: OAuthCall) -> DomainError:
    """For the JSON (/v1) wrappers: an authlib error response as one of our domain errors."""
    if call.refusal is not None:
        return call.refusal
    error = body.get("error", "invalid_request")
    description = body.get("error_description") or error
    if error == "invalid_grant":
        return InvalidGrant(description)
    if error == "invalid_scope":
        return InvalidScope(description)
    if error in ("invalid_client", "unauthorized_client"):
        return Unauthenticated(description, oauth_error=error)
    return InvalidInput(description, oauth_error=error)


def oauth_error_body(refusal: DomainError) -> dict[str, Any]:
    """For the standard endpoints: a domain refusal as an RFC 6749 §5.2 error (plus our code)."""
    error = "invalid_request" if refusal.status == 422 else "invalid_grant"
    body: dict[str, Any] = {"error": error, "error_description": refusal.message, "capreg_code": refusal.code}
    if refusal.details:
        body["details"] = refusal.details
    return body
