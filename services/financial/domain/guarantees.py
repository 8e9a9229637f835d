"""Bid guarantees (§95912(h)) and what happens to them after the auction (§95912(i)(3), (j)(3)).

Life of a guarantee:

    submitted --FSA evaluates--> conforming --EO accepts--> accepted --settlement--> closed | kept
        |                            |                         \\--amended--> superseded
        \\--nonconforming--> rejected \\--EO declines--> rejected
    kept --carried over to the next auction--> conforming --EO accepts--> accepted ...

The FSA receives the instrument when it evaluates it; from then on it is in the money ledger until
it is drawn, returned (cash, §95912(i)(3)(E)) or released (other forms, §95912(i)(3)(F)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from services.financial.domain.errors import (
    AuctionCancelled,
    CashGuaranteeNotKept,
    GuaranteeAmendmentProhibited,
    GuaranteeCurrencyNotAllowed,
    GuaranteeDeadlinePassed,
    GuaranteeExpiresTooSoon,
    GuaranteeExpiryRequired,
    GuaranteeStateConflict,
    InvalidAmount,
    MultiAuctionNotAgreed,
    SameIndividual,
)
from services.financial.domain.money import Currency, Money


class GuaranteeForm(StrEnum):
    """§95912(h)(1)(A)-(C), listed in the order they are applied to an unpaid balance (§95912(h)(9))."""

    CASH = "cash"
    LETTER_OF_CREDIT = "letter_of_credit"
    BOND = "bond"


DRAW_ORDER: tuple[GuaranteeForm, ...] = tuple(GuaranteeForm)


class GuaranteeStatus(StrEnum):
    SUBMITTED = "submitted"
    CONFORMING = "conforming"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    KEPT = "kept"
    CLOSED = "closed"


RECEIVED = frozenset({GuaranteeStatus.CONFORMING, GuaranteeStatus.ACCEPTED, GuaranteeStatus.KEPT})


@dataclass(frozen=True)
class GuaranteePolicy:
    """The configurable figures of §95912(h) (Settings: CAPREG_FINANCIAL_*)."""

    lead_days: int = 12  # §95912(h): at least 12 days before the auction
    min_expiry_days: int = 26  # §95912(h)(7): no sooner than 26 days after the auction
    # §95912(h)(2), (h)(4): the currency of the bidder's jurisdiction (DOMAIN.md: QC may use CAD or USD)
    currencies: Mapping[str, frozenset[str]] = field(default_factory=lambda: {
        "CA": frozenset({"USD"}), "QC": frozenset({"CAD", "USD"}), "NS": frozenset({"CAD"}),
    })


@dataclass(frozen=True)
class AuctionWindow:
    """What the guarantee rules need to know of an auction."""

    auction_id: str
    auction_date: date
    guarantee_deadline: date
    rescheduled: bool = False
    cancelled: bool = False

    def deadline(self, policy: GuaranteePolicy) -> date:
        """The notice's deadline, never later than `lead_days` before the auction (§95912(h))."""
        return min(self.guarantee_deadline, self.auction_date - timedelta(days=policy.lead_days))


@dataclass(frozen=True)
class Bidder:
    """An approved participant as the auction service told us (§95912(e))."""

    entity_id: str
    jurisdiction: str
    currency: str


@dataclass(frozen=True)
class Terms:
    """What a bidder states about an instrument: form, value, expiry, issuer, reference."""

    form: GuaranteeForm
    amount: Money
    expires_on: date | None
    issuer: str | None
    instrument_reference: str | None


def check_terms(terms: Terms, *, policy: GuaranteePolicy, window: AuctionWindow, bidder: Bidder,
                today: date) -> Terms:
    """Refuse a guarantee the FSA could not accept for this auction; return the normalised terms."""
    if window.cancelled:
        raise AuctionCancelled(auction_id=window.auction_id)
    if window.rescheduled:
        raise GuaranteeAmendmentProhibited(  # §95912(j)(3)(B), (D)
            "the bidding window was rescheduled: bid guarantees can no longer be added or amended",
            auction_id=window.auction_id,
        )
    deadline = window.deadline(policy)
    if today > deadline:  # §95912(h): at least 12 days before the auction
        raise GuaranteeDeadlinePassed(deadline=deadline.isoformat(), auction_id=window.auction_id)
    check_currency(terms.amount.currency, policy=policy, bidder=bidder)
    if not terms.amount.is_positive:
        raise InvalidAmount("a bid guarantee must be worth more than zero", field="amount")
    if terms.form is GuaranteeForm.CASH:
        return Terms(terms.form, terms.amount, None, terms.issuer, terms.instrument_reference)
    check_expiry(terms.expires_on, policy=policy, auction_date=window.auction_date)
    return terms


def check_currency(currency: str, *, policy: GuaranteePolicy, bidder: Bidder) -> None:
    """§95912(h)(2), (h)(4): USD for California; for Québec CAD or USD, and always the bidding currency."""
    allowed = policy.currencies.get(bidder.jurisdiction, frozenset())
    if currency not in allowed or currency != bidder.currency:
        raise GuaranteeCurrencyNotAllowed(
            jurisdiction=bidder.jurisdiction, currency=str(currency), bidding_currency=bidder.currency,
            allowed=sorted(allowed),
        )


def check_expiry(expires_on: date | None, *, policy: GuaranteePolicy, auction_date: date) -> None:
    if expires_on is None:
        raise GuaranteeExpiryRequired()
    earliest = auction_date + timedelta(days=policy.min_expiry_days)
    if expires_on < earliest:  # §95912(h)(7)
        raise GuaranteeExpiresTooSoon(earliest=earliest.isoformat(), expires_on=expires_on.isoformat())


@dataclass
class Guarantee:
    id: str
    entity_id: str
    auction_id: str
    jurisdiction: str
    form: GuaranteeForm
    amount: Money
    expires_on: date | None
    issuer: str | None
    instrument_reference: str | None
    submitted_by: str
    submitted_at: datetime
    status: GuaranteeStatus = GuaranteeStatus.SUBMITTED
    drawn: Decimal = Decimal("0.00")
    returned: Decimal = Decimal("0.00")
    multi_auction: bool = False
    amends: str | None = None
    evaluated_by: str | None = None
    evaluated_at: datetime | None = None
    evaluation_note: str | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def currency(self) -> Currency:
        return self.amount.currency

    @property
    def held(self) -> Money:
        """The value the FSA still holds (zero before it was received)."""
        if self.evaluated_at is None:
            return Money.zero(self.currency)
        return Money(self.amount.amount - self.drawn - self.returned, self.currency)

    @property
    def terms(self) -> Terms:
        return Terms(self.form, self.amount, self.expires_on, self.issuer, self.instrument_reference)

    def _expect(self, *statuses: GuaranteeStatus) -> None:
        if self.status not in statuses:
            raise GuaranteeStateConflict(
                f"the guarantee is {self.status}", status=str(self.status), expected=[str(s) for s in statuses],
            )

    def evaluate(self, *, conforming: bool, by: str, at: datetime, note: str | None) -> None:
        """The FSA received the instrument and examined it (§95912(h)(1)(D), (h)(8))."""
        self._expect(GuaranteeStatus.SUBMITTED)
        self.evaluated_by, self.evaluated_at, self.evaluation_note = by, at, note
        self.status = GuaranteeStatus.CONFORMING if conforming else GuaranteeStatus.REJECTED

    def accept(self, *, by: str, at: datetime) -> None:
        """The executive officer accepts what the FSA found conforming (§95912(h)(8))."""
        self._expect(GuaranteeStatus.CONFORMING)
        if by == self.evaluated_by:
            raise SameIndividual("the individual who evaluated the guarantee cannot also accept it")
        self.accepted_by, self.accepted_at = by, at
        self.status = GuaranteeStatus.ACCEPTED

    def decline(self, *, by: str, at: datetime, note: str | None) -> None:
        self._expect(GuaranteeStatus.CONFORMING)
        if by == self.evaluated_by:
            raise SameIndividual("the individual who evaluated the guarantee cannot also decide on it")
        self.accepted_by, self.accepted_at = by, at
        self.evaluation_note = note or self.evaluation_note
        self.status = GuaranteeStatus.REJECTED

    def supersede(self) -> None:
        self._expect(GuaranteeStatus.SUBMITTED, GuaranteeStatus.CONFORMING, GuaranteeStatus.ACCEPTED)
        self.status = GuaranteeStatus.SUPERSEDED

    def draw(self, money: Money) -> None:
        """Apply `money` of this guarantee to an unpaid invoice (§95912(i)(3)(B))."""
        self._expect(GuaranteeStatus.ACCEPTED)
        if self.held < money:
            raise GuaranteeStateConflict("cannot draw more than the guarantee holds", held=str(self.held))
        self.drawn += money.amount

    def give_back(self, at: datetime) -> Money:
        """Return unused cash (§95912(i)(3)(E)) or release another form (§95912(i)(3)(F)): what is left."""
        left = self.held
        self.returned += left.amount
        self.closed_at = at
        if self.status not in (GuaranteeStatus.SUPERSEDED, GuaranteeStatus.REJECTED):
            self.status = GuaranteeStatus.CLOSED
        return left

    def after_settlement(self, at: datetime) -> Money:
        """The auction is settled for this bidder: keep by agreement (§95912(i)(3)(G)), else give back."""
        if self.multi_auction and self.form is not GuaranteeForm.CASH and self.held.is_positive:
            self.status = GuaranteeStatus.KEPT
            return Money.zero(self.currency)
        return self.give_back(at)

    def agree_multi_auction(self) -> None:
        """The FSA and the bidder agree to hold this guarantee for several auctions (§95912(i)(3)(G))."""
        if self.form is GuaranteeForm.CASH:
            raise CashGuaranteeNotKept()
        self._expect(GuaranteeStatus.SUBMITTED, GuaranteeStatus.CONFORMING, GuaranteeStatus.ACCEPTED,
                     GuaranteeStatus.KEPT)
        self.multi_auction = True

    def end_multi_auction_agreement(self) -> None:
        """A kept guarantee is to go back to the bidder (§95912(i)(3)(F))."""
        self._expect(GuaranteeStatus.KEPT)
        self.multi_auction = False

    def carry_over(self, *, window: AuctionWindow, bidder: Bidder, policy: GuaranteePolicy, today: date) -> None:
        """Lodge a kept guarantee for another auction; the executive officer accepts it again (§95912(h)(8))."""
        if not self.multi_auction:
            raise MultiAuctionNotAgreed()
        self._expect(GuaranteeStatus.KEPT)
        check_terms(Terms(self.form, self.held, self.expires_on, self.issuer, self.instrument_reference),
                    policy=policy, window=window, bidder=bidder, today=today)
        self.auction_id = window.auction_id
        self.accepted_by = self.accepted_at = None
        self.status = GuaranteeStatus.CONFORMING


def accepted_value(guarantees: Iterable[Guarantee], currency: str) -> Money:
    """What the auction service may count on (§95912(h)(8)): the sum held on accepted guarantees."""
    total = Money.zero(currency)
    for g in guarantees:
        if g.status is GuaranteeStatus.ACCEPTED and g.currency == currency:
            total = total + g.held
    return total


def plan_draws(guarantees: Iterable[Guarantee], unpaid: Money, today: date) -> list[tuple[Guarantee, Money]]:
    """Which guarantees cover `unpaid`, in the order cash, letter of credit, bond (§95912(h)(9), (i)(3)(B)).

    Only accepted guarantees in the invoice's currency that have not expired can be drawn on.
    """
    usable = [
        g for g in guarantees
        if g.status is GuaranteeStatus.ACCEPTED and g.currency == unpaid.currency and g.held.is_positive
        and (g.expires_on is None or g.expires_on >= today)
    ]
    usable.sort(key=lambda g: (DRAW_ORDER.index(g.form), g.submitted_at, g.id))
    plan: list[tuple[Guarantee, Money]] = []
    left = unpaid
    for g in usable:
        if left.is_zero:
            break
        take = g.held.min(left)
        plan.append((g, take))
        left = left - take
    return plan
