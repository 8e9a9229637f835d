"""The auction: its notice (§95912(c)), its deadlines and its bidding window (§95912(j)).

Dates "days before the auction" are counted on calendar dates in the program's time zone: the
notice may be published on auction_date − 60 days at the latest, applications are taken until
auction_date − 30 days, bid guarantees are due auction_date − 12 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from services.auction.domain.clearing_input import CALIFORNIA, QUEBEC, JurisdictionOffer, PoolKind
from services.auction.domain.errors import (
    AlreadyCertified,
    AlreadyCleared,
    AuctionCancelled,
    BiddingWindowClosed,
    BiddingWindowNotClosed,
    DecisionDeadlinePassed,
    DelayTooLong,
    InvalidBiddingWindow,
    InvalidExchangeRate,
    NotAJointAuction,
    NotCleared,
    NoticeChangeDeadlinePassed,
    NoticeIncomplete,
    NoticeTooLate,
    RescheduleTooLate,
    UnsupportedJurisdictions,
    WrongAuctionState,
)
from services.auction.domain.reserve import reserve_price_usd

NOTICE_DAYS = 60  # §95912(c)
LINKED_CHANGE_DAYS = 30  # §95912(c)(8)
APPLICATION_DAYS = 30  # §95912(d)(4), (e)
GUARANTEE_DAYS = 12  # §95912(h)
PAYMENT_DAYS = 7  # §95912(i)(3)(A)
MAX_DELAY_MINUTES = 60  # §95912(j)(1)
ADVANCE_VINTAGE_OFFSET = 3  # §95911(a): the Advance Auction sells the vintage three years ahead
MAX_QUANTITY = 10**12  # a sanity bound on any quantity (the clearing engine's own bound)
MIN_RATE, MAX_RATE = Decimal("0.0001"), Decimal(10_000)  # CAD per USD, as the clearing engine accepts
SUPPORTED_JURISDICTIONS: tuple[tuple[str, ...], ...] = ((CALIFORNIA,), (CALIFORNIA, QUEBEC))


class AuctionStatus(StrEnum):
    SCHEDULED = "scheduled"  # notice published; phases follow from the clock
    CLEARED = "cleared"  # results computed and handed to the executive officer (§95912(i))
    CERTIFIED = "certified"  # §95912(i)(1); notices and public results issued
    NOT_CERTIFIED = "not_certified"
    CANCELLED = "cancelled"  # §95912(j)(3)(E)


class Phase(StrEnum):
    APPLICATIONS_OPEN = "applications_open"
    APPLICATIONS_CLOSED = "applications_closed"
    BIDDING_OPEN = "bidding_open"
    BIDDING_CLOSED = "bidding_closed"
    CLEARED = "cleared"
    CERTIFIED = "certified"
    NOT_CERTIFIED = "not_certified"
    CANCELLED = "cancelled"


def local_date(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def supported_jurisdictions(jurisdictions: tuple[str, ...]) -> tuple[str, ...]:
    """§95912(b): California alone, or jointly with Québec (its linked partner); California first."""
    ordered = tuple(sorted(set(jurisdictions), key=lambda j: (j != CALIFORNIA, j)))
    if ordered not in SUPPORTED_JURISDICTIONS:
        raise UnsupportedJurisdictions("an auction is held by CA alone or jointly by CA and QC",
                                       jurisdictions=list(jurisdictions))
    return ordered


@dataclass(frozen=True)
class Notice:
    """The free-text items of §95912(c); the others are fields of the auction."""

    application_instructions: str  # (c)(2)
    bid_submission: str  # (c)(3)
    procedures: str  # (c)(4)
    administrative_requirements: str  # (c)(5)
    annual_allowances: Mapping[str, int] | None = None  # (c)(7): first-quarter auction only

    def missing(self) -> list[str]:
        texts = {
            "application_instructions": self.application_instructions,
            "bid_submission": self.bid_submission,
            "procedures": self.procedures,
            "administrative_requirements": self.administrative_requirements,
        }
        return [name for name, value in texts.items() if not value or not value.strip()]


@dataclass(frozen=True)
class PurchaseLimitRates:
    """Purchase limits as a share of the allowances offered in the pool (§95911(d)); per auction."""

    current_covered_entity: Decimal = Decimal("0.15")
    current_electrical_distribution_utility: Decimal = Decimal("0.40")
    current_other: Decimal = Decimal("0.04")
    advance: Decimal = Decimal("0.25")

    def rate(self, pool: PoolKind, category: str) -> Decimal:
        if pool is PoolKind.ADVANCE:
            return self.advance
        if category == "covered_entity":
            return self.current_covered_entity
        if category == "electrical_distribution_utility":
            return self.current_electrical_distribution_utility
        return self.current_other


Offers = dict[PoolKind, dict[str, JurisdictionOffer]]


@dataclass
class Auction:
    id: str
    jurisdictions: tuple[str, ...]
    auction_date: date
    opens_at: datetime
    closes_at: datetime
    notice: Notice
    offers: Offers
    reserve_prices: dict[str, Decimal]  # per jurisdiction, in its own currency (§95911(c))
    purchase_limit_rates: PurchaseLimitRates
    published_at: datetime
    published_by: str
    status: AuctionStatus = AuctionStatus.SCHEDULED
    original_auction_date: date | None = None
    delay_minutes: int = 0
    rescheduled: bool = False
    exchange_rate: Decimal | None = None  # CAD per USD (the Auction Exchange Rate)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cleared_at: datetime | None = None
    certified_at: datetime | None = None
    certified_by: str | None = None
    certification_note: str | None = None
    payment_due_on: date | None = None

    # ---- publication (§95912(c)) ----------------------------------------------------------------
    @classmethod
    def publish(
        cls,
        *,
        auction_id: str,
        jurisdictions: tuple[str, ...],
        opens_at: datetime,
        closes_at: datetime,
        notice: Notice,
        offers: Offers,
        reserve_prices: dict[str, Decimal],
        purchase_limit_rates: PurchaseLimitRates,
        now: datetime,
        tz: tzinfo,
        published_by: str,
    ) -> Auction:
        ordered = supported_jurisdictions(jurisdictions)
        _check_window(opens_at, closes_at)
        auction_date = local_date(opens_at, tz)
        today = local_date(now, tz)
        latest = auction_date - timedelta(days=NOTICE_DAYS)
        if today > latest:  # §95912(c): at least 60 days prior
            raise NoticeTooLate(
                f"the notice of an auction on {auction_date} must be published by {latest}",
                auction_date=auction_date.isoformat(), latest_publication=latest.isoformat(),
            )
        missing = notice.missing()
        if auction_date.month <= 3:  # §95912(c)(7): the first quarterly auction of the year
            annual = notice.annual_allowances or {}
            missing += [f"annual_allowances.{j}" for j in ordered if annual.get(j) is None]
        if any(not 0 <= quantity <= MAX_QUANTITY for quantity in (notice.annual_allowances or {}).values()):
            missing.append("annual_allowances (0 to 10**12)")
        full_offers = _complete_offers(offers, ordered)
        if sum(offer.total() for offer in full_offers[PoolKind.CURRENT].values()) <= 0:
            missing.append("offers.current")  # §95912(c)(6): the number of allowances available
        if missing:
            raise NoticeIncomplete("the notice lacks items required by §95912(c)", missing=missing)
        return cls(
            id=auction_id,
            jurisdictions=ordered,
            auction_date=auction_date,
            opens_at=opens_at,
            closes_at=closes_at,
            notice=notice,
            offers=full_offers,
            reserve_prices=reserve_prices,
            purchase_limit_rates=purchase_limit_rates,
            published_at=now,
            published_by=published_by,
            original_auction_date=auction_date,
        )

    # ---- derived facts ------------------------------------------------------------------------
    @property
    def is_joint(self) -> bool:
        return len(self.jurisdictions) > 1

    @property
    def current_vintage(self) -> int:
        return self.auction_date.year

    @property
    def advance_vintage(self) -> int:
        return self.auction_date.year + ADVANCE_VINTAGE_OFFSET

    @property
    def application_deadline(self) -> date:
        """The last day for eligibility information and intent to bid (§95912(d)(4), (e))."""
        return self.auction_date - timedelta(days=APPLICATION_DAYS)

    @property
    def linked_change_deadline(self) -> date:
        return self.auction_date - timedelta(days=LINKED_CHANGE_DAYS)  # §95912(c)(8)

    @property
    def guarantee_deadline(self) -> date:
        return self.auction_date - timedelta(days=GUARANTEE_DAYS)  # §95912(h)

    def total_offered(self, pool: PoolKind) -> int:
        return sum(offer.total() for offer in self.offers[pool].values())

    def reserve_price_usd(self) -> Decimal:
        return reserve_price_usd(self.reserve_prices, self.exchange_rate if self.is_joint else None)

    def phase(self, now: datetime, tz: tzinfo) -> Phase:
        if self.status is not AuctionStatus.SCHEDULED:
            return Phase(self.status.value)
        if local_date(now, tz) <= self.application_deadline:
            return Phase.APPLICATIONS_OPEN
        if now < self.opens_at:
            return Phase.APPLICATIONS_CLOSED
        if now < self.closes_at:
            return Phase.BIDDING_OPEN
        return Phase.BIDDING_CLOSED

    # ---- guards used by other aggregates' commands ----------------------------------------------
    def require_scheduled(self) -> None:
        if self.status is AuctionStatus.CANCELLED:
            raise AuctionCancelled("the auction was cancelled", cancelled_at=_iso(self.cancelled_at))
        if self.status is not AuctionStatus.SCHEDULED:
            raise WrongAuctionState(f"the auction is {self.status.value}", status=self.status.value)

    def applications_closed(self, now: datetime, tz: tzinfo) -> bool:
        """Within 30 days of the auction (§95912(d)(4), (e)): no new application, no new intent to bid."""
        self.require_scheduled()
        return local_date(now, tz) > self.application_deadline

    def require_before_window(self, now: datetime) -> None:
        self.require_scheduled()
        if now >= self.opens_at:
            raise DecisionDeadlinePassed("the bidding window has opened", opens_at=self.opens_at.isoformat())

    def require_bidding_open(self, now: datetime) -> None:
        """§95912(g): bids are binding once the window closes; nothing changes outside it."""
        if self.status is AuctionStatus.CANCELLED:
            raise BiddingWindowClosed("the auction was cancelled", status=self.status.value)
        if self.status is not AuctionStatus.SCHEDULED or not self.opens_at <= now < self.closes_at:
            raise BiddingWindowClosed(
                "the bidding window is not open",
                opens_at=self.opens_at.isoformat(), closes_at=self.closes_at.isoformat(),
            )

    # ---- commands -------------------------------------------------------------------------------
    def amend_offers(self, jurisdiction: str, pool: PoolKind, offer: JurisdictionOffer,
                     now: datetime, tz: tzinfo) -> None:
        """§95912(c)(8): quantities of a linked jurisdiction, until 30 days before the auction."""
        self.require_scheduled()
        if not self.is_joint or jurisdiction not in self.jurisdictions:
            raise NotAJointAuction("only a partner jurisdiction's quantities of a joint auction may change",
                                   jurisdiction=jurisdiction)
        if local_date(now, tz) > self.linked_change_deadline:
            raise NoticeChangeDeadlinePassed(
                f"linked quantities could change until {self.linked_change_deadline}",
                deadline=self.linked_change_deadline.isoformat(),
            )
        _check_offer(jurisdiction, offer)
        self.offers = {**self.offers, pool: {**self.offers[pool], jurisdiction: offer}}
        if self.total_offered(PoolKind.CURRENT) <= 0:
            raise NoticeIncomplete("the Current Auction must offer allowances", missing=["offers.current"])

    def set_exchange_rate(self, rate: Decimal, now: datetime) -> None:
        """The Auction Exchange Rate, published the business day before the auction (§95911)."""
        self.require_before_window(now)
        if not rate.is_finite() or not MIN_RATE <= rate <= MAX_RATE or rate != rate.quantize(Decimal("0.000001")):
            raise InvalidExchangeRate(f"a CAD-per-USD rate from {MIN_RATE} to {MAX_RATE}, at most six decimals",
                                      exchange_rate=str(rate))
        self.exchange_rate = rate

    def delay(self, minutes: int, now: datetime) -> None:
        """§95912(j)(1): the opening may be delayed by no more than one hour in all."""
        self.require_scheduled()
        if now >= self.opens_at:
            raise BiddingWindowClosed("the window has opened; reschedule it instead",
                                      opens_at=self.opens_at.isoformat())
        if minutes <= 0 or self.delay_minutes + minutes > MAX_DELAY_MINUTES:
            raise DelayTooLong(
                f"the opening may be delayed by at most {MAX_DELAY_MINUTES} minutes in all",
                already_delayed_minutes=self.delay_minutes, requested_minutes=minutes,
            )
        shift = timedelta(minutes=minutes)
        self.delay_minutes += minutes
        self.opens_at += shift
        self.closes_at += shift

    def reschedule(self, opens_at: datetime, closes_at: datetime, now: datetime, tz: tzinfo,
                   max_days_after_original: int) -> None:
        """§95912(j)(2)-(3): a new window, early enough for the bid guarantees to be usable."""
        self.require_scheduled()
        if now >= self.closes_at:
            raise BiddingWindowNotClosed("the window has closed: the bids are binding (§95912(g))")
        _check_window(opens_at, closes_at)
        if opens_at <= now:
            raise InvalidBiddingWindow("a rescheduled window must open in the future")
        original = self.original_auction_date or self.auction_date
        latest = original + timedelta(days=max_days_after_original)
        new_date = local_date(opens_at, tz)
        if new_date > latest:
            raise RescheduleTooLate(
                f"the window must be rescheduled by {latest} so bid guarantees can still be used",
                latest=latest.isoformat(),
            )
        self.opens_at, self.closes_at, self.auction_date = opens_at, closes_at, new_date
        self.rescheduled = True

    def cancel(self, reason: str, now: datetime) -> None:
        """§95912(j)(3)(E): when the window cannot be rescheduled in time."""
        self.require_scheduled()
        self.status = AuctionStatus.CANCELLED
        self.cancelled_at = now
        self.cancel_reason = reason

    def mark_cleared(self, now: datetime) -> None:
        if self.status is AuctionStatus.CLEARED or self.cleared_at is not None:
            raise AlreadyCleared("the auction has been cleared already")
        self.require_scheduled()
        if now < self.closes_at:
            raise BiddingWindowNotClosed("the bidding window closes at " + self.closes_at.isoformat(),
                                         closes_at=self.closes_at.isoformat())
        self.status = AuctionStatus.CLEARED
        self.cleared_at = now

    def certify(self, *, meets_requirements: bool, note: str | None, by: str, now: datetime, tz: tzinfo) -> None:
        """§95912(i)(1); on certification payment is due seven days after the notices (i)(3)(A)."""
        if self.status in (AuctionStatus.CERTIFIED, AuctionStatus.NOT_CERTIFIED):
            raise AlreadyCertified("the certification has been decided", status=self.status.value)
        if self.status is not AuctionStatus.CLEARED:
            raise NotCleared("the auction administrator has not reported results yet", status=self.status.value)
        self.certified_at, self.certified_by, self.certification_note = now, by, note
        if meets_requirements:
            self.status = AuctionStatus.CERTIFIED
            self.payment_due_on = local_date(now, tz) + timedelta(days=PAYMENT_DAYS)
        else:
            self.status = AuctionStatus.NOT_CERTIFIED


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise InvalidBiddingWindow("times must carry a time zone")
    if closes_at <= opens_at:
        raise InvalidBiddingWindow("the bidding window must close after it opens")
    if closes_at - opens_at > timedelta(days=1):
        raise InvalidBiddingWindow("the bidding window is a single session of at most one day (§95911(a))")


def _check_offer(jurisdiction: str, offer: JurisdictionOffer) -> None:
    quantities = [offer.state_owned, offer.untimely_surrender, offer.reintroduced_state_owned,
                  *offer.consigned.values()]
    if any(not 0 <= quantity <= MAX_QUANTITY for quantity in quantities):
        raise NoticeIncomplete(f"quantities offered are from 0 to {MAX_QUANTITY}", jurisdiction=jurisdiction)
    if jurisdiction != CALIFORNIA and offer.total() != offer.state_owned:
        raise NoticeIncomplete("only California offers consigned, untimely-surrender or re-introduced "
                               "allowances", jurisdiction=jurisdiction)


def _complete_offers(offers: Offers, jurisdictions: tuple[str, ...]) -> Offers:
    """Every pool names every jurisdiction of the auction (zero where it offers nothing)."""
    complete: Offers = {}
    for pool in PoolKind:
        given = dict(offers.get(pool, {}))
        unknown = sorted(set(given) - set(jurisdictions))
        if unknown:
            raise UnsupportedJurisdictions("offers name a jurisdiction outside the auction", jurisdictions=unknown)
        for jurisdiction, offer in given.items():
            _check_offer(jurisdiction, offer)
        complete[pool] = {j: given.get(j, JurisdictionOffer()) for j in jurisdictions}
    return complete
