"""Authorization codes (with PKCE), token look-up for revocation (RFC 7009) and introspection
(RFC 7662): the use cases behind the authlib endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.identity.adapters.crypto import hash_token
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.authentication import Origin, end_session, open_session
from services.identity.application.revocation import revoke_client, revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.application.tokens import TokenSubject
from services.identity.application.verification import LocalVerifier, still_valid


@dataclass(frozen=True)
class AuthorizedPerson:
    """The resource owner who signed in on the authorization page (password + TOTP)."""

    individual_id: str
    auth_time: datetime


async def store_code(uow: IdentityUnitOfWork, svc: IdentityServices, *, code: str, client_id: str,
                     person: AuthorizedPerson, redirect_uri: str | None, scope: str,
                     code_challenge: str | None, code_challenge_method: str | None) -> None:
    now = svc.clock.now()
    await uow.codes.add(code_hash=hash_token(code), client_id=client_id, individual_id=person.individual_id,
                        redirect_uri=redirect_uri, scope=scope, code_challenge=code_challenge,
                        code_challenge_method=code_challenge_method, auth_time=person.auth_time,
                        expires_at=now + timedelta(seconds=svc.settings.authorization_code_ttl_seconds))
    await uow.audit("authorization_code.issued", person.individual_id, {"client_id": client_id},
                    actor=person.individual_id)


async def find_code(uow: IdentityUnitOfWork, svc: IdentityServices, code: str, client_id: str) -> dict[str, Any] | None:
    """RFC 6749 §4.1.2: a code used twice is refused and the tokens it produced are revoked."""
    now = svc.clock.now()
    row = await uow.codes.by_hash(hash_token(code))
    if row is None or row["client_id"] != client_id:
        return None
    if row["used_at"] is not None:
        await revoke_individuals(uow, [row["individual_id"]], now=now, reason="authorization_code_reuse")
        await uow.audit("authorization_code.reuse_detected", row["individual_id"], {"client_id": client_id})
        return None
    return row if row["expires_at"] > now else None


async def session_from_code(uow: IdentityUnitOfWork, svc: IdentityServices, row: dict[str, Any],
                            origin: Origin) -> TokenSubject:
    now = svc.clock.now()
    person = await uow.individuals.get(row["individual_id"])
    record = await uow.credentials.get(row["individual_id"])
    assert person is not None and record is not None
    record.state.ensure_usable()
    person.ensure_may_sign_in(now)
    await uow.codes.mark_used(row["code_hash"], now)
    return await open_session(uow, svc, person, record, client_id=row["client_id"], now=now, origin=origin,
                              auth_time=row["auth_time"])


@dataclass
class TokenRecord:
    token_type: str  # access_token | refresh_token
    subject: str
    client_id: str
    scope: str
    expires_at: datetime
    issued_at: datetime
    revoked: bool
    session_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    expired: bool = False


async def lookup_token(uow: IdentityUnitOfWork, svc: IdentityServices, verifier: LocalVerifier, token: str,
                       hint: str | None) -> TokenRecord | None:
    looks_like_jwt = token.count(".") == 2
    if looks_like_jwt and hint != "refresh_token":
        claims = await verifier.inspect(token)
        if claims is None:
            return None
        return TokenRecord(
            token_type="access_token", subject=str(claims["sub"]), client_id=str(claims.get("client_id", "")),
            scope=str(claims.get("scope", "")), expires_at=datetime.fromtimestamp(float(claims["exp"]), UTC),
            issued_at=datetime.fromtimestamp(float(claims["iat"]), UTC), revoked=not await still_valid(uow, claims),
            session_id=claims.get("sid"), claims=claims,
        )
    if looks_like_jwt:
        return None
    row = await uow.refresh_tokens.by_hash(hash_token(token))
    if row is None:
        return None
    session = await uow.sessions.get(row["session_id"])
    revoked = row["revoked_at"] is not None or row["used_at"] is not None or session is None \
        or session["ended_at"] is not None
    return TokenRecord(token_type="refresh_token", subject=row["individual_id"], client_id=row["client_id"],
                       scope=row["scope"], expires_at=row["expires_at"], issued_at=row["issued_at"],
                       revoked=revoked, session_id=row["session_id"], expired=row["expires_at"] <= svc.clock.now())


async def revoke_token(uow: IdentityUnitOfWork, svc: IdentityServices, record: TokenRecord) -> None:
    """Revoking any token of a person ends their (single) session; of a machine, its tokens."""
    if record.revoked:
        return
    if record.subject.startswith("client:"):
        await revoke_client(uow, record.subject.removeprefix("client:"), now=svc.clock.now(), reason="token_revoked")
        await uow.audit("token.revoked", record.subject, {"token_type": record.token_type})
        return
    await end_session(uow, svc, record.subject, reason="token_revoked")
