"""Who may see and do what.

Whether an entity bids and its guarantee amount are confidential (§95912(f), §95914(c)): the
amounts are shown only to the financial services administrator, the auction administrator and
the entity's own account representatives (primary, alternate, viewing agent: §95832), who are
learned from the registry's AccountChanged events. The executive officer sees the records it
decides on, with the amounts withheld.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.domain.errors import NotARepresentative
from shared.auth.principal import Principal, Role
from shared.errors import Forbidden

ACTING_ROLES = ("primary", "alternate")  # viewing agents see but never act (§95832)
VIEWING_ROLES = (*ACTING_ROLES, "viewing_agent")


def holds(principal: Principal, role: str, jurisdictions: Iterable[str]) -> bool:
    return any(principal.has_role(role, j) for j in jurisdictions)


@dataclass(frozen=True)
class Access:
    principal: Principal
    represented: frozenset[str]  # entities the individual represents in any role
    acting_for: frozenset[str]  # entities the individual may act for (primary or alternate)

    @classmethod
    async def of(cls, principal: Principal, uow: FinancialUnitOfWork) -> Access:
        if principal.is_machine:
            return cls(principal, frozenset(), frozenset())
        viewing = await uow.accounts.entities_represented(principal.subject, VIEWING_ROLES)
        acting = await uow.accounts.entities_represented(principal.subject, ACTING_ROLES) if viewing else set()
        return cls(principal, frozenset(viewing), frozenset(acting))

    @property
    def subject(self) -> str:
        return self.principal.subject

    def is_fsa(self, jurisdictions: Iterable[str]) -> bool:
        return holds(self.principal, Role.FINANCIAL_SERVICES_ADMINISTRATOR, jurisdictions)

    def is_staff_viewer(self, jurisdictions: Iterable[str]) -> bool:
        """FSA, auction administrator or executive officer of one of these jurisdictions."""
        jurisdictions = list(jurisdictions)
        return any(holds(self.principal, r, jurisdictions) for r in (
            Role.FINANCIAL_SERVICES_ADMINISTRATOR, Role.AUCTION_ADMINISTRATOR, Role.EXECUTIVE_OFFICER))

    def sees_amounts(self, jurisdictions: Iterable[str], entity_id: str) -> bool:
        jurisdictions = list(jurisdictions)
        return (entity_id in self.represented or self.is_fsa(jurisdictions)
                or holds(self.principal, Role.AUCTION_ADMINISTRATOR, jurisdictions))

    def sees_record(self, jurisdictions: Iterable[str], entity_id: str) -> bool:
        jurisdictions = list(jurisdictions)
        return self.sees_amounts(jurisdictions, entity_id) or holds(
            self.principal, Role.EXECUTIVE_OFFICER, jurisdictions)

    def require_fsa(self, jurisdictions: Iterable[str]) -> None:
        jurisdictions = list(jurisdictions)
        if not self.is_fsa(jurisdictions):
            raise Forbidden("requires the financial services administrator of the auction's jurisdictions",
                            jurisdictions=jurisdictions)

    def require_eo(self, jurisdiction: str) -> None:
        if not self.principal.has_role(Role.EXECUTIVE_OFFICER, jurisdiction):
            raise Forbidden("requires the executive officer of the bidder's jurisdiction", jurisdiction=jurisdiction)

    def require_acting_for(self, entity_id: str, jurisdictions: Iterable[str]) -> None:
        """A primary or alternate representative of the entity, or the FSA recording what it received."""
        if entity_id not in self.acting_for and not self.is_fsa(jurisdictions):
            raise NotARepresentative(entity_id=entity_id)
