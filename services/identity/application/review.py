"""The registrar's side of KYC (§95834): review, decide, suspend, deactivate, renew IDs, flags.

A registrar acts only on individuals of their own jurisdiction ("registrar:CA" for CA).
"""

from __future__ import annotations

from typing import Any

from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.revocation import revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.domain.errors import Forbidden, InvalidStatus, NotFound
from services.identity.domain.model import Individual, document_deadline
from shared.auth.principal import Principal
from shared.contracts.identity import (
    IndividualApproved,
    IndividualDeactivated,
    IndividualDenied,
    IndividualReinstated,
    IndividualSuspended,
)


def registrar_jurisdictions(principal: Principal) -> set[str]:
    jurisdictions = principal.jurisdictions_for("registrar")
    if not jurisdictions:
        raise Forbidden("requires the registrar role")
    return jurisdictions


async def person_for_registrar(uow: IdentityUnitOfWork, individual_id: str, principal: Principal, *,
                               lock: bool = True) -> Individual:
    person = await uow.individuals.get(individual_id, lock=lock)
    if person is None or person.jurisdiction not in registrar_jurisdictions(principal):
        raise NotFound("no such individual in your jurisdiction", individual_id=individual_id)
    return person


async def approve(individual_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                  svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        person.approve(by=principal.subject, at=now)  # §95834: KYC passed
        await uow.individuals.save(person)
        await uow.publish(IndividualApproved(individual_id=person.id, legal_name=person.legal_name,
                                             jurisdiction=person.jurisdiction, approved_by=principal.subject,
                                             approved_at=now, id_expires_on=person.id_expires_on))
        await uow.audit("individual.approved", person.id, {})
        await uow.commit()
    return person


async def deny(individual_id: str, reason: str, principal: Principal, *, uow: IdentityUnitOfWork,
               svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        person.deny(by=principal.subject, reason=reason, at=now)
        await uow.individuals.save(person, registration_token_hash=None)
        await uow.publish(IndividualDenied(individual_id=person.id, reason=reason, denied_by=principal.subject,
                                           denied_at=now))
        await uow.audit("individual.denied", person.id, {"reason": reason})
        await uow.commit()
    return person


async def suspend(individual_id: str, reason: str, principal: Principal, *, uow: IdentityUnitOfWork,
                  svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        person.suspend(reason)
        await uow.individuals.save(person)
        await revoke_individuals(uow, [person.id], now=now, reason="suspended")
        await uow.publish(IndividualSuspended(individual_id=person.id, reason=reason, suspended_at=now))
        await uow.audit("individual.suspended", person.id, {"reason": reason})
        await uow.commit()
    return person


async def reinstate(individual_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                    svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        person.reinstate()
        await uow.individuals.save(person)
        await uow.publish(IndividualReinstated(individual_id=person.id, reinstated_by=principal.subject,
                                               reinstated_at=now))
        await uow.audit("individual.reinstated", person.id, {})
        await uow.commit()
    return person


async def deactivate(individual_id: str, reason: str, principal: Principal, *, uow: IdentityUnitOfWork,
                     svc: IdentityServices) -> Individual:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        person.deactivate(reason)
        await uow.individuals.save(person, registration_token_hash=None)
        await revoke_individuals(uow, [person.id], now=now, reason="deactivated")
        await uow.publish(IndividualDeactivated(individual_id=person.id, reason=reason,
                                                deactivated_by=principal.subject, deactivated_at=now))
        await uow.audit("individual.deactivated", person.id, {"reason": reason})
        await uow.commit()
    return person


async def details(individual_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                  svc: IdentityServices) -> dict[str, Any]:
    """Everything the registrar needs to review a registration; the view itself is audited."""
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal, lock=False)
        row = await uow.individuals.row(individual_id)
        assert row is not None
        id_number = svc.box.open(row["id_number_enc"], f"id:{individual_id}") if row["id_number_enc"] else None
        body = {k: row[k] for k in ("id", "kind", "status", "jurisdiction", "legal_name", "email", "phone",
                                    "date_of_birth", "residence", "id_type", "id_issuer", "id_expires_on",
                                    "bank_name", "bank_statement_date", "felony_attested_at", "registered_at",
                                    "documents_submitted_at", "decided_at", "decided_by", "status_reason",
                                    "activated_at")}
        body["id_number"] = id_number
        body["documents"] = await uow.documents.of_individual(individual_id)
        body["renewals"] = await uow.renewals.pending_for(individual_id)
        body["roles"] = await uow.roles.of(individual_id)
        body["documents_due_by"] = document_deadline(row["registered_at"], svc.kyc)
        await uow.audit("individual.viewed", person.id, {})
        await uow.commit()
    return body


async def document(individual_id: str, document_id: str, principal: Principal, *, uow: IdentityUnitOfWork,
                   svc: IdentityServices) -> dict[str, Any]:
    async with uow:
        await person_for_registrar(uow, individual_id, principal, lock=False)
        doc = await uow.documents.get(individual_id, document_id)
        if doc is None:
            raise NotFound("no such document")
        await uow.audit("document.viewed", individual_id, {"document_id": document_id})
        await uow.commit()
    return doc


async def list_individuals(principal: Principal, status: str | None, *,
                           uow: IdentityUnitOfWork) -> list[dict[str, Any]]:
    async with uow:
        return await uow.individuals.query(jurisdictions=registrar_jurisdictions(principal), status=status, limit=500)


async def list_flags(principal: Principal, include_resolved: bool, *, uow: IdentityUnitOfWork) -> list[dict[str, Any]]:
    async with uow:
        return await uow.flags.in_jurisdictions(registrar_jurisdictions(principal), include_resolved=include_resolved)


async def resolve_flag(flag_id: str, resolution: str, principal: Principal, *, uow: IdentityUnitOfWork,
                       svc: IdentityServices) -> None:
    async with uow:
        flag = await uow.flags.get(flag_id)
        if flag is None or flag["jurisdiction"] not in registrar_jurisdictions(principal):
            raise NotFound("no such flag")
        if flag["resolved_at"] is not None:
            raise InvalidStatus("the flag is already resolved")
        await uow.flags.resolve(flag_id, by=principal.subject, at=svc.clock.now(), resolution=resolution)
        await uow.audit("flag.resolved", flag["individual_id"], {"flag_id": flag_id, "resolution": resolution})
        await uow.commit()
