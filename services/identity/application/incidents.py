"""Credential compromise (Data Security and Control, "If You Suspect Credentials Have Been
Compromised"): reset the passwords of all the organisation's account representatives and
viewing agents at once, revoke their sessions, record the incident.

Who represents an entity is learnt from the registry's AccountChanged events (§95832).
"""

from __future__ import annotations

from typing import Any

from services.identity.adapters.crypto import new_id
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.revocation import revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.domain.errors import Forbidden, InvalidInput, NotFound
from shared.auth.principal import Principal


async def report_compromise(entity_id: str, description: str, principal: Principal, *, uow: IdentityUnitOfWork,
                            svc: IdentityServices) -> dict[str, Any]:
    if not description.strip():
        raise InvalidInput("describe what happened")
    now = svc.clock.now()
    async with uow:
        reps = await uow.representatives.of_entity(entity_id)
        if not reps:
            raise NotFound("no known representatives for this entity", entity_id=entity_id)
        jurisdictions = {r["jurisdiction"] for r in reps}
        is_registrar = any(principal.has_role("registrar", j) for j in jurisdictions)
        is_primary = any(r["individual_id"] == principal.subject and r["role"] == "primary" for r in reps)
        if not (is_registrar or is_primary):
            raise Forbidden("only a registrar of the entity's jurisdiction or its primary representative")
        individual_ids = sorted({r["individual_id"] for r in reps})
        incident_id = new_id("inc")
        revoked_before = await revoke_individuals(uow, individual_ids, now=now, reason="credential_compromise",
                                                  must_reset=True, incident_id=incident_id)
        jurisdiction = sorted(jurisdictions)[0]
        await uow.incidents.add(id=incident_id, entity_id=entity_id, jurisdiction=jurisdiction,
                                reported_by=principal.subject, description=description,
                                individual_ids=individual_ids, revoked_before=revoked_before, created_at=now)
        await uow.audit("incident.recorded", entity_id,
                        {"incident_id": incident_id, "individuals": individual_ids,
                         "reported_as": "registrar" if is_registrar else "primary_representative"})
        await uow.commit()
    return {"incident_id": incident_id, "entity_id": entity_id, "individual_ids": individual_ids,
            "revoked_before": revoked_before, "credential_reset_required": True}


async def list_incidents(principal: Principal, *, uow: IdentityUnitOfWork) -> list[dict[str, Any]]:
    jurisdictions = principal.jurisdictions_for("registrar")
    if not jurisdictions:
        raise Forbidden("requires the registrar role")
    async with uow:
        return await uow.incidents.visible(jurisdictions, set())
