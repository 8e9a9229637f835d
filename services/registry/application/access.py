"""Who may see or act on what (§95832 representatives, §95921(e) confidentiality)."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.domain.errors import Forbidden, NotFound
from shared.auth.principal import Principal

# staff who may see a jurisdiction's accounts, holdings and serials (§95921(e)(2): market oversight)
OVERSIGHT_ROLES = ("registrar", "accounts_administrator", "executive_officer", "market_monitor")
ACTING_ROLES = ("primary", "alternate")


def is_staff_of(principal: Principal, jurisdiction: str) -> bool:
    return any(principal.has_role(role, jurisdiction) for role in OVERSIGHT_ROLES)


async def representative_role(uow: RegistryUnitOfWork, principal: Principal, account_number: str) -> str | None:
    """The principal's role on the account, if they are a representative with approved KYC (§95834)."""
    if principal.is_machine:
        return None
    for individual, role in await uow.registry.representatives(account_number):
        if individual == principal.subject:
            kyc = await uow.registry.kyc_status([individual])
            return role if kyc.get(individual) == "approved" else None
    return None


async def ensure_can_view_account(uow: RegistryUnitOfWork, principal: Principal, account: Any) -> str:
    """§95921(e)(3): holdings and serials only for the account's representatives and viewing agents and
    the jurisdiction's staff. Anyone else is told the account does not exist."""
    if account is not None:
        if is_staff_of(principal, account.jurisdiction):
            return "staff"
        role = await representative_role(uow, principal, account.number)
        if role is not None:
            return role
    raise NotFound("no such account")


async def ensure_can_act_for_entity(uow: RegistryUnitOfWork, principal: Principal, entity: Any,
                                    *, staff_role: str = "registrar") -> str:
    """A primary or alternate representative of one of the entity's accounts, or its staff."""
    if principal.has_role(staff_role, entity.jurisdiction):
        return "staff"
    for account in await uow.registry.accounts_of_entity(entity.id):
        role = await representative_role(uow, principal, account.number)
        if role in ACTING_ROLES:
            return role
    raise Forbidden("only the entity's primary or alternate account representatives may do this")


async def ensure_can_view_entity(uow: RegistryUnitOfWork, principal: Principal, entity: Any) -> None:
    if entity is not None:
        if is_staff_of(principal, entity.jurisdiction) or principal.subject == entity.applied_by:
            return
        for account in await uow.registry.accounts_of_entity(entity.id):
            if await representative_role(uow, principal, account.number) is not None:
                return
    raise NotFound("no such entity")
