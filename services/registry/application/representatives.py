"""Representative changes (§95832): requested by the entity's representatives, approved by the registrar."""

from __future__ import annotations

import uuid
from typing import Any

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import publish_account
from services.registry.application.entities import get_entity
from services.registry.domain.account_numbers import normalize_account_number
from services.registry.domain.entities import EntityStatus, RepresentativeSet, ensure_eligible
from services.registry.domain.errors import EntityNotApproved, Forbidden, InvalidInput, InvalidState, NotFound
from shared.auth.principal import Principal


async def request_change(uow: RegistryUnitOfWork, entity_id: str, reps: RepresentativeSet,
                         account_numbers: list[str] | None, *, by: str) -> str:
    entity = await get_entity(uow, entity_id)
    if entity.status not in (EntityStatus.APPROVED, EntityStatus.SUSPENDED):
        raise EntityNotApproved("representatives change on an approved entity's accounts")
    reps.validate()
    ensure_eligible(reps, await uow.registry.kyc_status(reps.individuals()))
    own = {a.number for a in await uow.registry.accounts_of_entity(entity_id)}
    targets = None
    if account_numbers is not None:
        targets = sorted({normalize_account_number(n) for n in account_numbers})
        if not targets or not set(targets) <= own:
            raise InvalidInput("the accounts must be the entity's own", accounts=targets)
    request_id = "rep_" + uuid.uuid4().hex[:20]
    await uow.registry.add_representative_request(
        id=request_id, entity_id=entity_id, account_numbers=targets, primary_id=reps.primary,
        alternates=list(reps.alternates), viewing_agents=list(reps.viewing_agents), status="pending",
        requested_by=by, requested_at=uow.clock.now(),
    )
    await uow.audit("representatives.change_requested", entity_id, {"request_id": request_id, "accounts": targets})
    return request_id


async def decide_change(uow: RegistryUnitOfWork, request_id: str, *, approve: bool, reason: str | None,
                        by: Principal) -> list[str]:
    request = await uow.registry.representative_request(request_id, for_update=True)
    if request is None:
        raise NotFound("no such representative change request", request_id=request_id)
    entity = await get_entity(uow, request.entity_id)
    if not by.has_role("registrar", entity.jurisdiction):
        raise Forbidden("only a registrar of the entity's jurisdiction decides representative changes")
    if request.status != "pending":
        raise InvalidState(f"the request is already {request.status}")
    now = uow.clock.now()
    changed: list[str] = []
    if approve:
        reps = RepresentativeSet(request.primary_id, tuple(request.alternates), tuple(request.viewing_agents))
        ensure_eligible(reps, await uow.registry.kyc_status(reps.individuals()))
        targets = request.account_numbers or [a.number for a in await uow.registry.accounts_of_entity(entity.id)]
        for number in targets:
            await uow.registry.set_representatives(number, reps.members(), now)
            await publish_account(uow, number)
            changed.append(number)
    await uow.registry.decide_representative_request(
        request_id, status="approved" if approve else "denied", decided_by=by.subject, decided_at=now, reason=reason
    )
    await uow.audit("representatives.change_" + ("approved" if approve else "denied"), entity.id,
                    {"request_id": request_id, "accounts": changed, "reason": reason})
    return changed


def request_view(row: Any) -> dict[str, Any]:
    return {
        "request_id": row.id, "entity_id": row.entity_id, "status": row.status,
        "primary": row.primary_id, "alternates": row.alternates, "viewing_agents": row.viewing_agents,
        "account_numbers": row.account_numbers, "requested_by": row.requested_by,
        "requested_at": row.requested_at, "decided_by": row.decided_by, "decided_at": row.decided_at,
        "reason": row.reason,
    }


async def on_kyc_change(uow: RegistryUnitOfWork, individual_id: str) -> None:
    """A representative's KYC status changed: republish the rights on every account they hold."""
    for row in await uow.registry.accounts_represented_by(individual_id):
        await publish_account(uow, row.number)
