"""User registration with KYC (§95834): the registrant's side.

register -> upload documents (within 30 days) -> submit -> (registrar decides) -> activate
(TOTP enrolment). Until activation the registrant proves who they are with the registration
token returned once by `register` (in production it is sent by e-mail).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.identity.adapters.crypto import hash_token, new_id, new_token
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.authentication import Origin, enforce_rate_limits
from services.identity.application.services import IdentityServices
from services.identity.domain.credentials import check_password
from services.identity.domain.documents import check_document, safe_filename
from services.identity.domain.errors import (
    DomainError,
    DuplicatePerson,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    InvalidStatus,
    InvalidTicket,
)
from services.identity.domain.model import (
    Application,
    DocumentKind,
    Individual,
    Kind,
    Status,
    check_application,
    document_deadline,
    local_date,
)
from services.identity.domain.person import document_material, mask_id_number, person_material
from shared.contracts.identity import IndividualRegistered


@dataclass(frozen=True)
class Registered:
    individual_id: str
    registration_token: str
    documents_due_by: datetime


@dataclass(frozen=True)
class Fingerprint:
    person_key: str
    document_key: str


def fingerprint(svc: IdentityServices, legal_name: str, date_of_birth: Any, id_number: str, issuer: str) -> Fingerprint:
    return Fingerprint(
        person_key=svc.fingerprints.of(person_material(legal_name, date_of_birth)),
        document_key=svc.fingerprints.of(document_material(id_number, issuer)),
    )


async def refuse_duplicate(uow: IdentityUnitOfWork, svc: IdentityServices, fp: Fingerprint, *, jurisdiction: str,
                           attempt: dict[str, Any], exclude: str | None = None) -> None:
    """One person, one credential (§95834): flag the attempt to registrars, commit, refuse."""
    holders = await uow.individuals.holders_of(person_key=fp.person_key, document_key=fp.document_key,
                                               exclude=exclude)
    if not holders:
        return
    now = svc.clock.now()
    matched_on = sorted({"name_and_birth_date" if h["person_key"] == fp.person_key else "id_document"
                         for h in holders})
    for jur in sorted({jurisdiction, *(h["jurisdiction"] for h in holders)}):
        await uow.flags.add(id=new_id("flag"), kind="duplicate_person", jurisdiction=jur,
                            individual_id=holders[0]["id"], created_at=now,
                            details={"attempt": attempt, "matched_on": matched_on,
                                     "existing_individuals": [h["id"] for h in holders]})
    await uow.audit("registration.duplicate_refused", holders[0]["id"], {"matched_on": matched_on})
    await uow.commit()
    raise DuplicatePerson(matched_on=matched_on)


async def register(app: Application, password: str, *, uow: IdentityUnitOfWork, svc: IdentityServices,
                   origin: Origin) -> Registered:
    s = svc.settings
    await enforce_rate_limits(svc, [(f"registration:ip:{origin.ip}", s.registration_ip_limit)],
                              s.registration_window_seconds)
    now = svc.clock.now()
    email = app.email.strip().lower()
    try:
        check_application(app, local_date(now, app.jurisdiction), svc.kyc)
    except DomainError:
        await _audit_refusal(uow, email)
        raise
    check_password(password, min_length=s.password_min_length, email=email, legal_name=app.legal_name)
    fp = fingerprint(svc, app.legal_name, app.date_of_birth, app.government_id.number, app.government_id.issuer)
    password_hash = await asyncio.to_thread(svc.passwords.hash, password)
    token = new_token()
    individual_id = new_id("ind")
    async with uow:
        await uow.individuals.lock_fingerprints(fp.person_key, fp.document_key, email)
        await refuse_duplicate(uow, svc, fp, jurisdiction=app.jurisdiction,
                               attempt={"legal_name": app.legal_name, "email": email, "at": now.isoformat()})
        if await uow.individuals.by_email(email) is not None:
            raise EmailAlreadyRegistered()
        r = app.residence
        await uow.individuals.add({
            "id": individual_id, "kind": Kind.INDIVIDUAL.value, "status": Status.REGISTERED.value,
            "jurisdiction": app.jurisdiction, "legal_name": app.legal_name, "email": email, "phone": app.phone,
            "date_of_birth": app.date_of_birth,
            "residence": {"line1": r.line1, "line2": r.line2, "city": r.city, "region": r.region,
                          "postal_code": r.postal_code, "country": r.country},
            "id_type": app.government_id.id_type,
            "id_number_enc": svc.box.seal(app.government_id.number, f"id:{individual_id}"),
            "id_number_masked": mask_id_number(app.government_id.number),
            "id_issuer": app.government_id.issuer, "id_expires_on": app.government_id.expires_on,
            "bank_name": app.bank.bank_name, "bank_statement_date": app.bank.statement_date,
            "felony_attested_at": now, "person_key": fp.person_key, "document_key": fp.document_key,
            "registration_token_hash": hash_token(token), "registered_at": now,
        })
        await uow.credentials.add(individual_id, password_hash=password_hash, password_changed_at=now)
        await uow.publish(IndividualRegistered(individual_id=individual_id, legal_name=app.legal_name, email=email,
                                               jurisdiction=app.jurisdiction, registered_at=now))
        await uow.audit("individual.registered", individual_id, {"jurisdiction": app.jurisdiction},
                        actor=individual_id)
        await uow.commit()
    return Registered(individual_id, token, document_deadline(now, svc.kyc))


async def _audit_refusal(uow: IdentityUnitOfWork, email: str) -> None:
    async with uow:
        await uow.audit("registration.refused", None, {"email_domain": email.rpartition("@")[2]})
        await uow.commit()


async def _by_token(uow: IdentityUnitOfWork, individual_id: str, token: str) -> Individual:
    person = await uow.individuals.by_registration_token(individual_id, hash_token(token or ""))
    if person is None:
        raise InvalidTicket()
    return person


async def upload_document(individual_id: str, token: str, *, kind: str, content: bytes, filename: str | None,
                          uow: IdentityUnitOfWork, svc: IdentityServices) -> dict[str, Any]:
    try:
        kind = DocumentKind(kind).value
    except ValueError:
        raise InvalidInput("unknown document kind", allowed=[k.value for k in DocumentKind]) from None
    content_type = check_document(content, svc.settings.max_document_bytes)
    digest = hashlib.sha256(content).hexdigest()
    now = svc.clock.now()
    async with uow:
        person = await _by_token(uow, individual_id, token)
        person.ensure_document_window_open(now, svc.kyc)  # §95834: within 30 days of the request
        document_id = new_id("doc")
        await uow.documents.add(id=document_id, individual_id=individual_id, kind=kind, content_type=content_type,
                                size_bytes=len(content), sha256=digest, content=content,
                                original_filename=safe_filename(filename), uploaded_at=now)
        others = await uow.documents.owners_of_digest(digest, exclude=individual_id)
        if others:
            await uow.flags.add(id=new_id("flag"), kind="document_reuse", jurisdiction=person.jurisdiction,
                                individual_id=individual_id, created_at=now,
                                details={"document_id": document_id, "also_uploaded_by": others})
        await uow.audit("document.uploaded", individual_id,
                        {"document_id": document_id, "kind": kind, "content_type": content_type,
                         "size_bytes": len(content), "sha256": digest}, actor=individual_id)
        await uow.commit()
    return {"document_id": document_id, "kind": kind, "content_type": content_type, "size_bytes": len(content),
            "sha256": digest}


async def submit_documents(individual_id: str, token: str, *, uow: IdentityUnitOfWork,
                           svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await _by_token(uow, individual_id, token)
        person.submit_documents(await uow.documents.kinds_of(individual_id), now, svc.kyc)
        await uow.individuals.save(person)
        await uow.audit("documents.submitted", individual_id, {}, actor=individual_id)
        await uow.commit()
    return person


async def start_activation(individual_id: str, token: str, password: str, *, uow: IdentityUnitOfWork,
                           svc: IdentityServices) -> dict[str, str]:
    """After approval: prove the password, receive a TOTP secret to enrol."""
    now = svc.clock.now()
    async with uow:
        person = await _by_token(uow, individual_id, token)
        if person.status is not Status.APPROVED:
            raise InvalidStatus("only an approved registration can be activated", status=person.status)
        record = await uow.credentials.get(individual_id)
        assert record is not None
        record.state.ensure_not_locked(now)
        if not await asyncio.to_thread(svc.passwords.verify, record.password_hash, password):
            locked = record.state.record_failure(now, svc.lockout)
            await uow.credentials.save(record)
            await uow.commit()
            raise InvalidCredentials(locked=locked)
        secret = svc.totp.new_secret()
        await uow.credentials.save(record, totp_pending_enc=svc.box.seal(secret, f"totp:{individual_id}"))
        await uow.audit("totp.enrolment_started", individual_id, {}, actor=individual_id)
        await uow.commit()
    return {"totp_secret": secret, "otpauth_uri": svc.totp.provisioning_uri(secret, person.email)}


async def confirm_activation(individual_id: str, token: str, code: str, *, uow: IdentityUnitOfWork,
                             svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await _by_token(uow, individual_id, token)
        record = await uow.credentials.get(individual_id)
        assert record is not None
        if person.status is not Status.APPROVED or record.totp_pending_enc is None:
            raise InvalidStatus("start the activation first", status=person.status)
        secret = svc.box.open(record.totp_pending_enc, f"totp:{individual_id}")
        step = svc.totp.matching_step(secret, code, now, None)
        if step is None:
            raise InvalidCredentials("the one-time code does not match the enrolled secret")
        person.activate(now)
        person.ensure_may_sign_in(now)
        record.last_totp_step = step
        await uow.credentials.save(record, totp_secret_enc=record.totp_pending_enc, totp_pending_enc=None,
                                   totp_enrolled_at=now)
        await uow.individuals.save(person, registration_token_hash=None)
        await uow.audit("individual.activated", individual_id, {}, actor=individual_id)
        await uow.commit()
    return person
