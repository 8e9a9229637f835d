"""Identity verifies its own access tokens: its key ring, its clock and its database.

Other services verify through the JWKS and learn revocations from the bus; identity is the
source of truth, so it also checks that the session is open and the subject not revoked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.services import IdentityServices
from services.identity.domain.errors import Unauthenticated
from shared.auth.principal import Principal
from shared.auth.verify import principal_from_claims

LEEWAY_SECONDS = 5


class LocalVerifier:
    def __init__(self, svc: IdentityServices) -> None:
        self.svc = svc

    async def decode(self, token: str) -> dict[str, Any]:
        """Signature, issuer, audience and lifetime; raises Unauthenticated."""
        try:
            kid = extract_compact(token.encode()).protected.get("kid")
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise Unauthenticated("malformed access token") from exc
        ring = self.svc.keyring
        now = self.svc.clock.now()
        await ring.ensure_fresh()
        keys = ring.verification_keys(now)
        if kid and not any(k.kid == kid for k in keys.keys):
            await ring.ensure_fresh(force=True)
            keys = ring.verification_keys(now)
        try:
            claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
        except (JoseError, ValueError) as exc:
            raise Unauthenticated("invalid access token signature") from exc
        s = self.svc.settings
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": s.jwt_issuer}, aud={"essential": True, "value": s.jwt_audience},
            exp={"essential": True}, sub={"essential": True}, iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise Unauthenticated(f"access token rejected: {exc.error}") from exc
        return dict(claims)

    async def verify(self, token: str) -> Principal:
        claims = await self.decode(token)
        async with self.svc.uow_factory() as uow:
            if not await still_valid(uow, claims):
                raise Unauthenticated("access token revoked")
        return principal_from_claims(claims)

    async def inspect(self, token: str) -> dict[str, Any] | None:
        """The claims of a token that is genuine and unexpired (revoked or not), else None."""
        try:
            return await self.decode(token)
        except Unauthenticated:
            return None


def issued_at(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(claims["iat"]), UTC)


async def still_valid(uow: IdentityUnitOfWork, claims: dict[str, Any]) -> bool:
    """Not revoked: the subject's revocation instant is before the token, its session is open."""
    subject = str(claims["sub"])
    iat = issued_at(claims)
    if subject.startswith("client:"):
        client = await uow.clients.get(subject.removeprefix("client:"))
        if client is None or client["revoked_at"] is not None:
            return False
        return client["tokens_valid_after"] is None or iat > client["tokens_valid_after"]
    record = await uow.credentials.get(subject, lock=False)
    if record is None or record.state.issued_before_revocation(iat):
        return False
    sid = claims.get("sid")
    if sid:
        session = await uow.sessions.get(str(sid))
        if session is None or session["ended_at"] is not None:
            return False
    return True
