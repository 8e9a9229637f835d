"""Sign-in, sessions, refresh-token rotation and step-up: the use cases behind the OAuth grants.

One credential per person (§95834): a password and a TOTP second factor. One session per
person: a new sign-in ends the older sessions and voids their tokens everywhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.identity.adapters.crypto import hash_token, new_id
from services.identity.adapters.repository import CredentialRecord
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.revocation import revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.application.tokens import ACR_MFA, ACR_STEP_UP, AMR_MFA, TokenSubject
from services.identity.application.verification import LocalVerifier
from services.identity.domain.credentials import CredentialState
from services.identity.domain.errors import (
    AccountLocked,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    RateLimited,
    Unauthenticated,
)
from services.identity.domain.model import Individual, Kind
from shared.contracts.identity import CredentialsRevoked


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str | None


# -- brute force ----------------------------------------------------------------------------------
async def enforce_rate_limits(svc: IdentityServices, checks: list[tuple[str, int]], window_seconds: int) -> None:
    """Fixed-window counters in the database (shared by every instance), committed at once so a
    refused attempt still counts."""
    now = svc.clock.now()
    epoch = int(now.timestamp()) // window_seconds * window_seconds
    window_start = datetime.fromtimestamp(epoch, now.tzinfo)
    async with svc.uow_factory() as uow:
        counts = [await uow.rate_limits.hit(key, window_start) for key, _ in checks]
        await uow.commit()
    for (key, limit), count in zip(checks, counts, strict=True):
        if count > limit:
            retry = int((window_start + timedelta(seconds=window_seconds) - now).total_seconds()) + 1
            raise RateLimited("too many attempts; try again later", scope=key.split(":", 2)[1],
                              retry_after_seconds=retry)


async def limit_sign_in(svc: IdentityServices, email: str, origin: Origin) -> None:
    s = svc.settings
    await enforce_rate_limits(
        svc,
        [(f"login:ip:{origin.ip}", s.login_ip_limit),
         (f"login:account:{hash_token(email.strip().lower())[:32]}", s.login_account_limit)],  # no e-mail in clear
        s.login_window_seconds,
    )


# -- sign-in ----------------------------------------------------------------------------------------
async def verify_sign_in(
    uow: IdentityUnitOfWork, svc: IdentityServices, *, email: str, password: str, code: str, now: datetime,
    allow_expired_id: bool = False,
) -> tuple[Individual, CredentialRecord]:
    """Password and TOTP, with lockout. The caller commits even when this raises (failures count)."""
    person = await uow.individuals.by_email(email.strip().lower())
    record = await uow.credentials.get(person.id) if person else None
    if record is not None:
        record.state.ensure_not_locked(now)
    password_ok = await asyncio.to_thread(svc.passwords.verify, record.password_hash if record else None, password)
    step = None
    if password_ok and record is not None and record.totp_secret_enc is not None:
        secret = svc.box.open(record.totp_secret_enc, f"totp:{record.individual_id}")
        step = svc.totp.matching_step(secret, code, now, record.last_totp_step)
    if person is None or record is None or step is None:
        await _count_failure(uow, svc, person, record, now, "password" if not password_ok else "totp")
        raise InvalidCredentials()
    record.state.record_success()
    record.last_totp_step = step
    await uow.credentials.save(record)
    record.state.ensure_usable()
    person.ensure_may_sign_in(now, allow_expired_id=allow_expired_id)
    return person, record


async def _count_failure(uow: IdentityUnitOfWork, svc: IdentityServices, person: Individual | None,
                         record: CredentialRecord | None, now: datetime, factor: str) -> None:
    if person is None or record is None:
        await uow.audit("login.failed", None, {"reason": "unknown_account"})
        return
    locked = record.state.record_failure(now, svc.lockout)
    await uow.credentials.save(record)
    await uow.audit("login.failed", person.id, {"factor": factor, "locked": locked}, actor=person.id)
    if locked:
        raise AccountLocked(locked_until=record.state.locked_until.isoformat() if record.state.locked_until else None)


async def roles_for(uow: IdentityUnitOfWork, person: Individual) -> list[str]:
    roles = await uow.roles.of(person.id)
    return ["individual", *roles] if person.kind is Kind.INDIVIDUAL else roles


async def open_session(
    uow: IdentityUnitOfWork, svc: IdentityServices, person: Individual, record: CredentialRecord, *,
    client_id: str, now: datetime, origin: Origin, auth_time: datetime | None = None,
) -> TokenSubject:
    """One session per person: end the older ones (their tokens die everywhere) and start one."""
    s = svc.settings
    auth_time = auth_time or now
    ended = await uow.sessions.open_for(person.id, now)
    if ended:
        await uow.sessions.end(ended, at=now, reason="replaced_by_new_sign_in")
        before = record.state.revoke_all(now)
        await uow.publish(CredentialsRevoked(individual_ids=[person.id], revoked_before=before,
                                             reason="session_replaced"))
    session_id = new_id("ses")
    expires_at = now + timedelta(seconds=s.session_max_age_seconds)
    await uow.sessions.add(id=session_id, individual_id=person.id, client_id=client_id, auth_time=auth_time,
                           amr=AMR_MFA, created_at=now, expires_at=expires_at, ip=origin.ip,
                           user_agent=origin.user_agent)
    iat = record.state.next_issued_at(now)
    await uow.credentials.save(record)
    await uow.audit("session.started", person.id,
                    {"session_id": session_id, "client_id": client_id, "ended_sessions": ended}, actor=person.id)
    return TokenSubject(
        sub=person.id, roles=await roles_for(uow, person), amr=list(AMR_MFA), acr=ACR_MFA, auth_time=auth_time,
        issued_at=iat, ttl_seconds=s.access_token_ttl_seconds, client_id=client_id, session_id=session_id,
        ended_sessions=ended, refresh_expires_at=expires_at,
    )


async def sign_in(uow: IdentityUnitOfWork, svc: IdentityServices, *, email: str, password: str, code: str,
                  client_id: str, origin: Origin) -> TokenSubject:
    await limit_sign_in(svc, email, origin)
    now = svc.clock.now()
    person, record = await verify_sign_in(uow, svc, email=email, password=password, code=code, now=now)
    return await open_session(uow, svc, person, record, client_id=client_id, now=now, origin=origin)


# -- refresh tokens ---------------------------------------------------------------------------------
@dataclass
class RefreshLookup:
    row: dict[str, Any] | None
    reused: bool = False


async def find_refresh_token(uow: IdentityUnitOfWork, raw: str, now: datetime) -> RefreshLookup:
    """A usable refresh token, or None. A rotated token presented again means it was copied:
    the whole family (the session) is revoked and its access tokens die everywhere."""
    row = await uow.refresh_tokens.by_hash(hash_token(raw))
    if row is None:
        return RefreshLookup(None)
    if row["used_at"] is not None:
        session = await uow.sessions.get(row["session_id"])
        if session is not None and session["ended_at"] is None:
            await revoke_individuals(uow, [row["individual_id"]], now=now, reason="refresh_token_reuse")
        await uow.audit("refresh_token.reuse_detected", row["individual_id"],
                        {"session_id": row["session_id"], "token_id": row["id"]}, actor=row["individual_id"])
        return RefreshLookup(None, reused=True)
    if row["revoked_at"] is not None or row["expires_at"] <= now:
        return RefreshLookup(None)
    session = await uow.sessions.get(row["session_id"])
    if session is None or session["ended_at"] is not None or session["expires_at"] <= now:
        return RefreshLookup(None)
    return RefreshLookup(row)


async def refreshed_subject(uow: IdentityUnitOfWork, svc: IdentityServices, row: dict[str, Any]) -> TokenSubject:
    now = svc.clock.now()
    person = await uow.individuals.get(row["individual_id"])
    record = await uow.credentials.get(row["individual_id"])
    assert person is not None and record is not None
    record.state.ensure_usable()
    person.ensure_may_sign_in(now)  # §95834: an expired ID stops token issuance, refresh included
    session = await uow.sessions.get(row["session_id"])
    assert session is not None
    iat = record.state.next_issued_at(now)
    await uow.credentials.save(record)
    await uow.audit("token.refreshed", person.id, {"session_id": session["id"]}, actor=person.id)
    return TokenSubject(
        sub=person.id, roles=await roles_for(uow, person), amr=list(session["amr"]), acr=ACR_MFA,
        auth_time=session["auth_time"], issued_at=iat, ttl_seconds=svc.settings.access_token_ttl_seconds,
        client_id=row["client_id"], session_id=session["id"], refresh_expires_at=session["expires_at"],
    )


async def store_refresh_token(uow: IdentityUnitOfWork, svc: IdentityServices, subject: TokenSubject, raw: str,
                              scope: str) -> str:
    now = svc.clock.now()
    assert subject.session_id is not None
    expires_at = now + timedelta(seconds=svc.settings.refresh_token_ttl_seconds)
    if subject.refresh_expires_at is not None:
        expires_at = min(expires_at, subject.refresh_expires_at)
    token_id = new_id("rt")
    await uow.refresh_tokens.add(id=token_id, token_hash=hash_token(raw), session_id=subject.session_id,
                                 individual_id=subject.sub, client_id=subject.client_id, scope=scope,
                                 issued_at=now, expires_at=expires_at)
    return token_id


# -- machines ---------------------------------------------------------------------------------------
async def machine_subject(uow: IdentityUnitOfWork, svc: IdentityServices, client_id: str) -> TokenSubject:
    """No row lock and no write per token: iat is after the client's last revocation (see revoke_client)."""
    now = svc.clock.now()
    row = await uow.clients.get(client_id)
    assert row is not None
    iat = CredentialState(tokens_valid_after=row["tokens_valid_after"]).next_issued_at(now)
    await uow.audit("token.issued", f"client:{client_id}", {"grant": "client_credentials"},
                    actor=f"client:{client_id}")
    return TokenSubject(sub=f"client:{client_id}", roles=["machine"], amr=[], acr="urn:capreg:acr:client",
                        auth_time=now, issued_at=iat, ttl_seconds=svc.settings.machine_token_ttl_seconds,
                        client_id=client_id, jurisdiction=row["jurisdiction"])


# -- step-up ----------------------------------------------------------------------------------------
async def step_up(
    uow: IdentityUnitOfWork, svc: IdentityServices, verifier: LocalVerifier, *, access_token: str | None,
    refresh_token: str | None, code: str, client_id: str,
) -> TokenSubject:
    """A fresh TOTP proof on top of an open session: a short-lived token with a fresh auth_time."""
    now = svc.clock.now()
    if access_token:
        principal = await verifier.verify(access_token)
        individual_id, session_id = principal.subject, str(principal.extra.get("sid") or "")
    elif refresh_token:
        found = await find_refresh_token(uow, refresh_token, now)
        if found.row is None:
            raise Unauthenticated("the refresh token is not valid")
        individual_id, session_id = found.row["individual_id"], found.row["session_id"]
    else:
        raise InvalidInput("present an access token (subject_token) or a refresh token")
    if individual_id.startswith("client:") or not session_id:
        raise Forbidden("step-up is for individuals signed in with a session")
    await enforce_rate_limits(svc, [(f"login:account:{individual_id}", svc.settings.login_account_limit)],
                              svc.settings.login_window_seconds)
    person = await uow.individuals.get(individual_id)
    record = await uow.credentials.get(individual_id)
    session = await uow.sessions.get(session_id)
    if person is None or record is None or session is None or session["ended_at"] is not None:
        raise Unauthenticated("the session has ended")
    record.state.ensure_not_locked(now)
    step = None
    if record.totp_secret_enc is not None:
        secret = svc.box.open(record.totp_secret_enc, f"totp:{individual_id}")
        step = svc.totp.matching_step(secret, code, now, record.last_totp_step)
    if step is None:
        await _count_failure(uow, svc, person, record, now, "totp")
        raise InvalidCredentials("the one-time code is wrong or was already used")
    record.state.record_success()
    record.last_totp_step = step
    record.state.ensure_usable()
    person.ensure_may_sign_in(now)
    iat = record.state.next_issued_at(now)
    await uow.credentials.save(record)
    await uow.audit("session.stepped_up", individual_id, {"session_id": session_id}, actor=individual_id)
    return TokenSubject(
        sub=individual_id, roles=await roles_for(uow, person), amr=list(AMR_MFA), acr=ACR_STEP_UP, auth_time=now,
        issued_at=iat, ttl_seconds=svc.settings.step_up_token_ttl_seconds, client_id=client_id,
        session_id=session_id,
    )


async def end_session(uow: IdentityUnitOfWork, svc: IdentityServices, individual_id: str, reason: str) -> None:
    """Sign out (or revoke a token): the person's session ends and its tokens die everywhere."""
    await revoke_individuals(uow, [individual_id], now=svc.clock.now(), reason=reason)
    await uow.audit("session.ended", individual_id, {"reason": reason})
