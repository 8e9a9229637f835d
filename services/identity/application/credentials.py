"""Credential tickets: a registrar-issued, single-use secret to set a new password and enrol a
new TOTP secret — after a compromise (forced reset) or for a new staff member (enrolment).

The ticket is handed over out of band (in production: e-mail plus a phone call); completing it
ends every older session and voids every older token.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from services.identity.adapters.crypto import hash_token, new_id, new_token
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.authentication import Origin, limit_sign_in
from services.identity.application.review import person_for_registrar
from services.identity.application.revocation import revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.domain.credentials import check_password
from services.identity.domain.errors import InvalidCredentials, InvalidStatus, InvalidTicket
from services.identity.domain.model import Individual, Status
from shared.auth.principal import Principal


async def issue_ticket(uow: IdentityUnitOfWork, svc: IdentityServices, person: Individual, *, purpose: str,
                       issued_by: str) -> dict[str, Any]:
    now = svc.clock.now()
    token = new_token()
    expires_at = now + timedelta(seconds=svc.settings.reset_ticket_ttl_seconds)
    await uow.tickets.void_open(person.id, now)
    await uow.tickets.add(id=new_id("tkt"), individual_id=person.id, token_hash=hash_token(token), purpose=purpose,
                          issued_by=issued_by, created_at=now, expires_at=expires_at)
    await uow.audit("credential_ticket.issued", person.id, {"purpose": purpose})
    return {"individual_id": person.id, "ticket": token, "purpose": purpose, "expires_at": expires_at}


async def issue_reset_ticket(individual_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                             svc: IdentityServices) -> dict[str, Any]:
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        if person.status in (Status.DENIED, Status.DEACTIVATED, Status.REGISTERED, Status.DOCUMENTS_SUBMITTED):
            raise InvalidStatus("this individual has no credential to reset", status=person.status)
        result = await issue_ticket(uow, svc, person, purpose="reset", issued_by=principal.subject)
        await uow.commit()
    return result


async def _ticket(uow: IdentityUnitOfWork, svc: IdentityServices, email: str,
                  ticket: str) -> tuple[dict[str, Any], Individual]:
    row = await uow.tickets.by_hash(hash_token(ticket or ""))
    person = await uow.individuals.by_email(email.strip().lower())
    now = svc.clock.now()
    if row is None or person is None or row["individual_id"] != person.id or row["used_at"] is not None \
            or row["expires_at"] <= now:
        raise InvalidTicket()
    return row, person


async def start_reset(email: str, ticket: str, new_password: str, *, uow: IdentityUnitOfWork, svc: IdentityServices,
                      origin: Origin) -> dict[str, str]:
    """Step 1: choose the new password; receive a new TOTP secret to enrol."""
    await limit_sign_in(svc, email, origin)
    async with uow:
        row, person = await _ticket(uow, svc, email, ticket)
        check_password(new_password, min_length=svc.settings.password_min_length, email=person.email,
                       legal_name=person.legal_name)
        password_hash = await asyncio.to_thread(svc.passwords.hash, new_password)
        secret = svc.totp.new_secret()
        await uow.tickets.update(row["id"], pending_password_hash=password_hash)
        record = await uow.credentials.get(person.id)
        assert record is not None
        await uow.credentials.save(record, totp_pending_enc=svc.box.seal(secret, f"totp:{person.id}"))
        await uow.audit("credential_reset.started", person.id, {"purpose": row["purpose"]}, actor=person.id)
        await uow.commit()
    return {"totp_secret": secret, "otpauth_uri": svc.totp.provisioning_uri(secret, person.email)}


async def confirm_reset(email: str, ticket: str, code: str, *, uow: IdentityUnitOfWork, svc: IdentityServices,
                        origin: Origin) -> None:
    """Step 2: prove the new TOTP secret works; the new credential replaces the old one."""
    await limit_sign_in(svc, email, origin)
    now = svc.clock.now()
    async with uow:
        row, person = await _ticket(uow, svc, email, ticket)
        record = await uow.credentials.get(person.id)
        assert record is not None
        if row["pending_password_hash"] is None or record.totp_pending_enc is None:
            raise InvalidStatus("choose the new password first")
        secret = svc.box.open(record.totp_pending_enc, f"totp:{person.id}")
        step = svc.totp.matching_step(secret, code, now, None)
        if step is None:
            raise InvalidCredentials("the one-time code does not match the new secret")
        # every older session and token dies with the old credential
        await revoke_individuals(uow, [person.id], now=now, reason="credentials_reset")
        record = await uow.credentials.get(person.id)
        assert record is not None
        record.state.must_reset = False
        record.state.record_success()
        record.last_totp_step = step
        await uow.credentials.save(record, password_hash=row["pending_password_hash"], password_changed_at=now,
                                   totp_secret_enc=record.totp_pending_enc, totp_pending_enc=None,
                                   totp_enrolled_at=now)
        await uow.tickets.update(row["id"], used_at=now, pending_password_hash=None)
        await uow.audit("credential_reset.completed", person.id, {"purpose": row["purpose"]}, actor=person.id)
        await uow.commit()
