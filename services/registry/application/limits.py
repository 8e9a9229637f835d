"""Holding limits (§95920) against the database: who is in the association, what they hold."""

from __future__ import annotations

from collections.abc import Sequence

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.entities import association_group, get_entity
from services.registry.application.policy import RegistryPolicy
from services.registry.domain.accounts import AccountType
from services.registry.domain.holding_limits import Headroom, Holding, LimitPolicy


async def limit_policy(uow: RegistryUnitOfWork, policy: RegistryPolicy, entity_id: str) -> LimitPolicy:
    entity = await get_entity(uow, entity_id)
    group = await association_group(uow, entity_id)
    members = await uow.registry.entities_by_id(group)
    return LimitPolicy(
        budgets=policy.budgets,
        jurisdiction=entity.jurisdiction,
        current_year=uow.clock.now().year,
        group=group,
        shares={m: r.holding_limit_share for m, r in members.items()},
        lowered={m: r.holding_limit_lowered_to for m, r in members.items()},
        exemptions={
            m: policy.compliance_exemption_default if r.compliance_exemption is None else r.compliance_exemption
            for m, r in members.items()
        },
    )


async def group_holdings(uow: RegistryUnitOfWork, group: frozenset[str]) -> list[Holding]:
    return [
        Holding(entity_id=e, account_type=AccountType(t), vintage=v, quantity=q)
        for e, t, v, q in await uow.ledger.allowance_holdings(sorted(group))
    ]


async def headroom(uow: RegistryUnitOfWork, policy: RegistryPolicy, entity_id: str, vintage: int | None) -> Headroom:
    limits = await limit_policy(uow, policy, entity_id)
    holdings = await group_holdings(uow, limits.group)
    return limits.headroom(entity_id, holdings, vintage if vintage is not None else limits.current_year)


async def check_addition(uow: RegistryUnitOfWork, policy: RegistryPolicy, entity_id: str,
                         additions: Sequence[Holding]) -> None:
    """§95920(b)(4): raises HoldingLimitExceeded if the additions take the entity over its limit."""
    if not additions:
        return
    limits = await limit_policy(uow, policy, entity_id)
    holdings = await group_holdings(uow, limits.group)
    limits.check_addition(entity_id, holdings, additions)
