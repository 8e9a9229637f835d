"""The holding limit (§95920) and how much room an entity, or its direct association, has left.

limit = 0.1 × 25,000,000 + 0.025 × (annual budget − 25,000,000)   (2013: 5,945,000 for 162,800,000)

- Counted: allowances (offset credits are not subject to the limit) in the entity's accounts, except
  limited use holding, exchange clearing holding and annual allocation holding accounts; allowances
  in the compliance account up to its limited exemption are not counted.
- Vintage buckets: allowances of the current and earlier vintages count together against the
  current year's budget; each future vintage counts alone against that vintage year's budget.
- A direct corporate association shares one limit (§95920, §95833). If the association declared a
  split, each member has its share of the limit and counts its own holdings; otherwise the members'
  holdings count jointly against the whole limit.
- The Executive Officer may lower a covered entity's limit (§95921(g)(1)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from services.registry.domain.accounts import HOLDING_LIMIT_COUNTED, AccountType
from services.registry.domain.errors import BudgetNotConfigured, HoldingLimitExceeded

FIRST_TRANCHE = 25_000_000
FIRST_RATE = Decimal("0.1")
SECOND_RATE = Decimal("0.025")


def holding_limit(annual_budget: int) -> int:
    """§95920: 10 % of the first 25 million of the budget plus 2.5 % of the rest, rounded down."""
    if annual_budget <= FIRST_TRANCHE:
        return int((FIRST_RATE * annual_budget).to_integral_value(ROUND_FLOOR))
    value = FIRST_RATE * FIRST_TRANCHE + SECOND_RATE * (annual_budget - FIRST_TRANCHE)
    return int(value.to_integral_value(ROUND_FLOOR))


@dataclass(frozen=True)
class BudgetTable:
    """Annual allowance budgets per jurisdiction and year (configuration), and which budgets make up
    a jurisdiction's basis (e.g. Québec: the combined California + Québec budget)."""

    budgets: Mapping[str, Mapping[int, int]]
    basis: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def budget(self, jurisdiction: str, year: int) -> int:
        total = 0
        for part in self.basis.get(jurisdiction, (jurisdiction,)):
            value = self.budgets.get(part, {}).get(year)
            if value is None:
                raise BudgetNotConfigured(
                    "no annual budget configured", jurisdiction=part, year=year
                )
            total += value
        return total


@dataclass(frozen=True)
class Holding:
    entity_id: str
    account_type: AccountType
    vintage: int
    quantity: int


@dataclass(frozen=True)
class Headroom:
    entity_id: str
    vintage_bucket: str  # "current" (this year and earlier) or a future vintage year
    budget_year: int
    annual_budget: int
    association_limit: int
    limit: int  # what applies to this entity (its share, or the whole association limit, or lowered)
    counted: int  # the holdings counted against `limit`
    compliance_exempted: int
    group: tuple[str, ...]
    shared_jointly: bool

    @property
    def headroom(self) -> int:
        return max(0, self.limit - self.counted)


def bucket_of(vintage: int, current_year: int) -> int:
    """The budget year a vintage counts against: the current year for current and earlier vintages."""
    return current_year if vintage <= current_year else vintage


@dataclass(frozen=True)
class LimitPolicy:
    budgets: BudgetTable
    jurisdiction: str
    current_year: int
    group: frozenset[str]
    shares: Mapping[str, Decimal | None]  # declared holding limit shares, by member
    lowered: Mapping[str, int | None]  # §95921(g)(1), by member
    exemptions: Mapping[str, int]  # compliance account limited exemption, by member

    def headroom(self, entity_id: str, holdings: Iterable[Holding], vintage: int) -> Headroom:
        budget_year = bucket_of(vintage, self.current_year)
        annual_budget = self.budgets.budget(self.jurisdiction, budget_year)
        association_limit = holding_limit(annual_budget)
        counted_by_entity, exempted = self._counted(holdings, budget_year)
        split = len(self.group) > 1 and all(self.shares.get(m) is not None for m in self.group)
        if split:
            share = self.shares[entity_id] or Decimal(0)
            limit = int((share * association_limit).to_integral_value(ROUND_FLOOR))
            counted = counted_by_entity.get(entity_id, 0)
        else:
            limit = association_limit
            counted = sum(counted_by_entity.values())
        lowered = self.lowered.get(entity_id)
        if lowered is not None:
            limit = min(limit, lowered)
        return Headroom(
            entity_id=entity_id,
            vintage_bucket="current" if budget_year == self.current_year else str(budget_year),
            budget_year=budget_year,
            annual_budget=annual_budget,
            association_limit=association_limit,
            limit=limit,
            counted=counted,
            compliance_exempted=exempted,
            group=tuple(sorted(self.group)),
            shared_jointly=len(self.group) > 1 and not split,
        )

    def _counted(self, holdings: Iterable[Holding], budget_year: int) -> tuple[dict[str, int], int]:
        plain: dict[str, int] = {}
        compliance: dict[str, int] = {}
        for h in holdings:
            if h.entity_id not in self.group or h.account_type not in HOLDING_LIMIT_COUNTED:
                continue
            if bucket_of(h.vintage, self.current_year) != budget_year:
                continue
            target = compliance if h.account_type is AccountType.COMPLIANCE else plain
            target[h.entity_id] = target.get(h.entity_id, 0) + h.quantity
        counted = dict(plain)
        exempted = 0
        for entity_id, quantity in compliance.items():
            free = min(quantity, max(0, self.exemptions.get(entity_id, 0)))
            exempted += free
            counted[entity_id] = counted.get(entity_id, 0) + quantity - free
        return counted, exempted

    def check_addition(self, entity_id: str, holdings: Sequence[Holding], additions: Sequence[Holding]) -> None:
        """§95920(b)(4): refuse an addition that raises counted holdings above the limit."""
        for budget_year in sorted({bucket_of(a.vintage, self.current_year) for a in additions}):
            before = self.headroom(entity_id, holdings, budget_year)
            after = self.headroom(entity_id, [*holdings, *additions], budget_year)
            if after.counted > after.limit and after.counted > before.counted:
                raise HoldingLimitExceeded(
                    "the move would exceed the holding limit",
                    entity_id=entity_id, budget_year=budget_year, limit=after.limit,
                    counted_before=before.counted, counted_after=after.counted,
                )
