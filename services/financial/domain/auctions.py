"""Auctions as the financial services administrator knows them: the notice, then the certified results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.financial.domain.guarantees import AuctionWindow
from services.financial.domain.settlement import Prices


class AuctionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CERTIFIED = "certified"  # invoices issued, settlement under way (§95912(i)(2)-(3))
    DISTRIBUTED = "distributed"  # every invoice closed and the proceeds remitted
    CANCELLED = "cancelled"  # no sale (§95912(j)(3)(E), (i)(1)): every guarantee goes back


@dataclass(frozen=True)
class Certification:
    certified_at: datetime
    prices: Prices
    payment_due_on: date  # §95912(i)(3)(A): seven days after the winners are notified
    holding_accounts: dict[str, str]  # jurisdiction -> auction holding account
    sold_current: dict[str, int]
    sold_advance: dict[str, int]


@dataclass
class Auction:
    auction_id: str
    auction_date: date
    jurisdictions: list[str]
    guarantee_deadline: date
    bidding_opens_at: datetime | None = None
    bidding_closes_at: datetime | None = None
    status: AuctionStatus = AuctionStatus.SCHEDULED
    rescheduled_at: datetime | None = None
    certification: Certification | None = None
    problems: list[str] = field(default_factory=list)
    distributed_at: datetime | None = None

    @property
    def window(self) -> AuctionWindow:
        return AuctionWindow(self.auction_id, self.auction_date, self.guarantee_deadline,
                             rescheduled=self.rescheduled_at is not None,
                             cancelled=self.status is AuctionStatus.CANCELLED)

    def reschedule(self, *, auction_date: date, opens_at: datetime, closes_at: datetime, at: datetime,
                   delayed_only: bool = False) -> None:
        """§95912(j)(2)-(3): guarantees are kept for the new window and can no longer change.

        A delay of the opening by at most an hour (§95912(j)(1)) only moves the window.
        """
        self.auction_date, self.bidding_opens_at, self.bidding_closes_at = auction_date, opens_at, closes_at
        if not delayed_only:
            self.rescheduled_at = at
