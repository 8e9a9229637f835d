"""Events published by the auction service (§95912). Amounts are decimal strings with a currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import Event
from shared.contracts.registry import SerialRange
from shared.contracts.topics import Topic


class Money(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    amount: str  # Decimal as string, whole cents
    currency: Literal["USD", "CAD"]


class AuctionScheduled(Event):
    """The notice (§95912(c)) was published."""

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.AuctionScheduled"

    auction_id: str
    auction_date: date
    bidding_opens_at: datetime
    bidding_closes_at: datetime
    jurisdictions: list[str]
    guarantee_deadline: date  # §95912(h): at least 12 days before
    reserve_price_usd: str

    def aggregate_id(self) -> str:
        return self.auction_id


class BidderApproved(Event):
    """An entity approved to participate (§95912(e)); confidential: consumed by financial only."""

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.BidderApproved"

    auction_id: str
    entity_id: str
    jurisdiction: str
    currency: Literal["USD", "CAD"]

    def aggregate_id(self) -> str:
        return self.auction_id


class Award(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    entity_id: str
    current_quantity: int
    advance_quantity: int
    currency: Literal["USD", "CAD"]
    cost: Money  # in the bidder's currency at the auction exchange rate
    destination_account: str  # holding (or compliance where the holding limit requires, §95912(i)(4))


class ConsignorSale(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    entity_id: str
    quantity: int
    proceeds: Money


class AuctionCertified(Event):
    """The executive officer certified the results (§95912(i)); settlement may start."""

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.AuctionCertified"

    auction_id: str
    certified_at: datetime
    current_settlement_price_usd: str
    advance_settlement_price_usd: str | None
    exchange_rate_cad_per_usd: str
    payment_due_on: date  # §95912(i)(3): seven days
    awards: list[Award]
    consignor_sales: list[ConsignorSale]
    sold_by_jurisdiction: dict[str, int]
    auction_holding_accounts: dict[str, str]  # jurisdiction -> auction holding account number
    # Additive (financial): the part of sold_by_jurisdiction sold in the Advance Auction, so each
    # jurisdiction's proceeds are priced per pool (§95912(i)(3)(C)); empty = everything was Current.
    sold_by_jurisdiction_advance: dict[str, int] = {}

    def aggregate_id(self) -> str:
        return self.auction_id


class BiddingWindowRescheduled(Event):
    """The executive officer rescheduled the bidding window (§95912(j)(2)-(3)).

    Consumed by financial: bid guarantees are kept for the rescheduled window and may not be
    amended, and no new guarantee is accepted for it (§95912(j)(3)(B)-(D)).
    """

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.BiddingWindowRescheduled"

    auction_id: str
    auction_date: date
    bidding_opens_at: datetime
    bidding_closes_at: datetime
    rescheduled_at: datetime
    reason: str | None = None
    # Additive (auction): "delayed" = the opening delayed by at most one hour (§95912(j)(1)); that
    # is not a rescheduled auction and does not stop applications or guarantee amendments.
    kind: Literal["rescheduled", "delayed"] = "rescheduled"

    def aggregate_id(self) -> str:
        return self.auction_id


class AuctionCancelled(Event):
    """No sale: the window was cancelled (§95912(j)(3)(E)) or the results not certified (§95912(i)(1)).

    Bid guarantees are to be returned.
    """

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.AuctionCancelled"

    auction_id: str
    kind: Literal["window_cancelled", "not_certified"]
    cancelled_at: datetime
    reason: str

    def aggregate_id(self) -> str:
        return self.auction_id


class AuctionResultsPublished(Event):
    """The public results (§95912(i)(6)): bidder names, settlement prices, distribution without names."""

    TOPIC = Topic.AUCTION
    EVENT_TYPE = "auction.AuctionResultsPublished"

    auction_id: str
    published_at: datetime
    bidders: list[str]
    current_settlement_price_usd: str | None
    advance_settlement_price_usd: str | None
    results: dict[str, Any]  # the published document (docs/auction.md)

    def aggregate_id(self) -> str:
        return self.auction_id


class AuctionSerialsReported(Event):
    """Serial numbers of allowances purchased at auction, for linked systems (§95912(i)(5)).

    One event per delivery the registry recorded; no account or entity is named (§95921(e)).
    """

    TOPIC = Topic.LINKAGE
    EVENT_TYPE = "auction.AuctionSerialsReported"

    auction_id: str
    move_id: str
    quantity: int
    serials: list[SerialRange]
    reported_at: datetime

    def aggregate_id(self) -> str:
        return self.auction_id
