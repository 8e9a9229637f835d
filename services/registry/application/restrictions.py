"""The Executive Officer's restrictions on registered entities (§95921(g))."""

from __future__ import annotations

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.entities import get_entity, publish_entity, sync_account_statuses
from services.registry.application.policy import RegistryPolicy
from services.registry.domain.accounts import TransferRestriction
from services.registry.domain.entities import LOWERABLE_LIMIT_TYPES, EntityStatus, EntityType, sell_deadline, transition
from services.registry.domain.errors import Forbidden, InvalidInput
from shared.auth.principal import Principal


def _ensure_executive_officer(by: Principal, jurisdiction: str) -> None:
    if not by.has_role("executive_officer", jurisdiction):
        raise Forbidden("only the Executive Officer of the entity's jurisdiction may do this")


async def restrict(uow: RegistryUnitOfWork, entity_id: str, *, transfers: TransferRestriction,
                   holding_limit: int | None, reason: str, by: Principal) -> None:
    """§95921(g)(1): lower the holding limit; §95921(g)(4): limit or prohibit transfers in or out."""
    entity = await get_entity(uow, entity_id, for_update=True)
    _ensure_executive_officer(by, entity.jurisdiction)
    if holding_limit is not None:
        if EntityType(entity.entity_type) not in LOWERABLE_LIMIT_TYPES:
            raise InvalidInput("§95921(g)(1) lowers the limit of covered and opt-in covered entities only")
        if holding_limit < 0:
            raise InvalidInput("a holding limit is not negative")
    await uow.registry.update_entity(entity_id, transfer_restriction=transfers.value,
                                     holding_limit_lowered_to=holding_limit, status_reason=reason)
    await sync_account_statuses(uow, entity_id)
    await publish_entity(uow, entity_id)
    await uow.audit("entity.restricted", entity_id, {"transfers": transfers.value, "holding_limit": holding_limit,
                                                     "reason": reason})


async def change_status(uow: RegistryUnitOfWork, policy: RegistryPolicy, entity_id: str, action: str, *,
                        reason: str, by: Principal) -> EntityStatus:
    """§95921(g)(3): suspend or revoke (opening the 30-day window to sell or retire), or reinstate."""
    entity = await get_entity(uow, entity_id, for_update=True)
    _ensure_executive_officer(by, entity.jurisdiction)
    status = transition(EntityStatus(entity.status), action)
    now = uow.clock.now()
    values: dict[str, object] = {"status": status.value, "status_reason": reason, "status_changed_at": now}
    if status in (EntityStatus.SUSPENDED, EntityStatus.REVOKED):
        # the window runs from the first suspension or revocation; a revocation after a suspension keeps it
        values["sell_deadline"] = entity.sell_deadline or sell_deadline(now, policy.sell_window_days)
    else:
        values["sell_deadline"] = None
        values["remainder_consigned_at"] = None
    await uow.registry.update_entity(entity_id, **values)
    await sync_account_statuses(uow, entity_id)
    await publish_entity(uow, entity_id)
    await uow.audit(f"entity.{action}", entity_id, {"reason": reason, "sell_deadline": values["sell_deadline"]})
    return status


async def set_compliance_exemption(uow: RegistryUnitOfWork, entity_id: str, quantity: int | None, *,
                                   by: Principal) -> None:
    """The compliance account's limited exemption from the holding limit (§95920), per entity."""
    entity = await get_entity(uow, entity_id, for_update=True)
    _ensure_executive_officer(by, entity.jurisdiction)
    if quantity is not None and quantity < 0:
        raise InvalidInput("the exemption is not negative")
    await uow.registry.update_entity(entity_id, compliance_exemption=quantity)
    await uow.audit("entity.compliance_exemption", entity_id, {"quantity": quantity})
