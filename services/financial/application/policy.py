"""The service's configurable rules, built once from Settings, and calendar dates in the business time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.financial.config import Settings
from services.financial.domain.guarantees import GuaranteePolicy
from services.financial.domain.money import Currency
from services.financial.domain.settlement import Payee


@dataclass(frozen=True)
class FinancialPolicy:
    guarantees: GuaranteePolicy = field(default_factory=GuaranteePolicy)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Los_Angeles"))
    advance_vintage_offset: int = 3
    payees: dict[str, Payee] = field(default_factory=lambda: {
        "CA": Payee("ggrf_proceeds", Currency.USD), "QC": Payee("qc_proceeds", Currency.CAD),
    })
    residual_jurisdiction: str = "CA"

    @classmethod
    def from_settings(cls, settings: Settings) -> FinancialPolicy:
        return cls(
            guarantees=GuaranteePolicy(
                lead_days=settings.guarantee_lead_days,
                min_expiry_days=settings.guarantee_min_expiry_days,
                currencies={j: frozenset(c) for j, c in settings.guarantee_currencies.items()},
            ),
            timezone=ZoneInfo(settings.business_timezone),
            advance_vintage_offset=settings.advance_vintage_offset,
            payees={j: Payee(account, Currency(currency))
                    for j, (account, currency) in settings.proceeds_payees.items()},
            residual_jurisdiction=settings.residual_jurisdiction,
        )

    def today(self, now: datetime) -> date:
        """The calendar date at `now` where the deadlines are counted."""
        return now.astimezone(self.timezone).date()


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
