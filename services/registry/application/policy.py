"""The configurable rules of the registry, built once from Settings (composition root)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.registry.config import DEFAULT_ANNUAL_BUDGETS, DEFAULT_BUDGET_BASIS, Settings
from services.registry.domain.holding_limits import BudgetTable
from services.registry.domain.jurisdictions import DEFAULT_LINK_GROUPS, Linkage


@dataclass(frozen=True)
class LinkedRegistryPolicy:
    client_id: str
    jurisdiction: str
    linked_with: tuple[str, ...]


@dataclass(frozen=True)
class RegistryPolicy:
    jurisdictions: tuple[str, ...] = ("CA", "QC", "NS")
    linkage: Linkage = field(default_factory=lambda: Linkage(DEFAULT_LINK_GROUPS))
    budgets: BudgetTable = field(default_factory=lambda: BudgetTable(DEFAULT_ANNUAL_BUDGETS, DEFAULT_BUDGET_BASIS))
    compliance_exemption_default: int = 0
    sell_window_days: int = 30
    linked_registries: Mapping[str, LinkedRegistryPolicy] = field(default_factory=dict)
    feed_page_max: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> RegistryPolicy:
        linked = {
            client: LinkedRegistryPolicy(client, r.jurisdiction, tuple(r.linked_with))
            for client, r in settings.linked_registries.items()
        }
        linkage = Linkage(DEFAULT_LINK_GROUPS).with_external({r.jurisdiction: r.linked_with for r in linked.values()})
        return cls(
            jurisdictions=tuple(settings.jurisdictions),
            linkage=linkage,
            budgets=BudgetTable(settings.annual_budgets, settings.holding_limit_budget_basis),
            compliance_exemption_default=settings.compliance_exemption_default,
            sell_window_days=settings.sell_window_days,
            linked_registries=linked,
            feed_page_max=settings.feed_page_max,
        )

    def linked_registry_for(self, client_ids: tuple[str | None, ...]) -> LinkedRegistryPolicy | None:
        for client in client_ids:
            if client is None:
                continue
            for key in (client, client.removeprefix("client:")):
                if key in self.linked_registries:
                    return self.linked_registries[key]
        return None
