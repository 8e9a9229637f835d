"""Configuration the use cases need, built from Settings by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.auction.domain.lifecycle import PurchaseLimitRates


@dataclass(frozen=True)
class AuctionPolicy:
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("America/Los_Angeles"))
    # jurisdiction -> year -> Auction Reserve Price in the jurisdiction's currency (§95911(c))
    reserve_prices: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    purchase_limit_rates: PurchaseLimitRates = field(default_factory=PurchaseLimitRates)
    reschedule_max_days: int = 14  # §95912(j)(3)(A), see docs/auction.md
    max_bids_per_pool: int = 100
    payment_method: str = "wire transfer to the financial services administrator"
    auction_holding_accounts: Mapping[str, str] = field(default_factory=dict)
