"""Bids and the checks made when one is placed or changed (§95911(b)-(e), §95912(g)-(h)).

A bid is checked against the bidder's whole book (all its active bids, the new one included),
so the bidder learns at once which limit it breaks. The checks mirror the clearing engine's
arithmetic (USD cents; CAD prices converted half up, a CAD guarantee converted down) so a book
accepted here is not cut at clearing for rounding alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from math import floor

from services.auction.domain.clearing_input import LOT_SIZE, Currency, PoolKind
from services.auction.domain.clearing_money import cad_to_usd_cents, cad_to_usd_cents_floor, from_cents
from services.auction.domain.errors import (
    BelowReservePrice,
    BidGuaranteeExceeded,
    CurrencyNotAllowed,
    ExchangeRateNotSet,
    HoldingLimitExceeded,
    InvalidInput,
    NotInLots,
    NotWholeCents,
    PurchaseLimitExceeded,
    TooManyBids,
)
from services.auction.domain.lifecycle import MAX_QUANTITY, Auction

CENT = Decimal("0.01")
MAX_PRICE = Decimal(1_000_000)


class BidStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: Currency


@dataclass
class Bid:
    id: str
    auction_id: str
    entity_id: str
    pool: PoolKind
    price: Decimal  # per allowance, in the bidder's currency
    currency: Currency
    quantity: int
    placed_by: str
    placed_at: datetime
    status: BidStatus = BidStatus.ACTIVE
    updated_at: datetime | None = None
    updated_by: str | None = None

    def change(self, price: Decimal, quantity: int, by: str, now: datetime) -> None:
        self.price, self.quantity, self.updated_by, self.updated_at = price, quantity, by, now

    def withdraw(self, by: str, now: datetime) -> None:
        self.status, self.updated_by, self.updated_at = BidStatus.WITHDRAWN, by, now


@dataclass(frozen=True)
class BidderTerms:
    """What limits a bidder's book: purchase limits per pool, holding-limit headroom, guarantee."""

    currency: Currency
    purchase_limits: Mapping[PoolKind, int]
    holding_limit_headroom: int
    guarantee: Money | None  # accepted by the executive officer (§95912(h)(8)); None = none yet
    headroom_source: str = "declared"  # or "registry" (the registry's figure was lower)


def entity_category(entity_type: str) -> str:
    """The purchase-limit category of §95911(d) for a registry entity type."""
    if entity_type in ("covered", "opt_in_covered", "covered_entity", "opt_in_covered_entity"):
        return "covered_entity"
    if entity_type == "electrical_distribution_utility":
        return "electrical_distribution_utility"
    return "other"


def purchase_limit(auction: Auction, pool: PoolKind, entity_type: str, share: Decimal) -> int:
    """§95911(d): a share of the allowances offered in the pool, times the entity's allotted share."""
    rate = auction.purchase_limit_rates.rate(pool, entity_category(entity_type))
    return floor(rate * auction.total_offered(pool) * share)


def check_shape(price: Decimal, quantity: int, currency: Currency, bidder_currency: Currency) -> None:
    """§95911(b): whole cents, lots of 1,000; the currency the bidder was approved with (§95912(h)(4))."""
    if currency is not bidder_currency:
        raise CurrencyNotAllowed(f"this bidder bids in {bidder_currency.value}", currency=currency.value,
                                 bidder_currency=bidder_currency.value)
    if not price.is_finite() or price <= 0 or price >= MAX_PRICE:
        raise InvalidInput("the price must be a positive amount", price=str(price))
    if price != price.quantize(CENT):
        raise NotWholeCents("prices are in whole cents (§95911(b))", price=str(price))
    if quantity <= 0 or quantity % LOT_SIZE or quantity > MAX_QUANTITY:
        raise NotInLots(f"quantities are positive multiples of {LOT_SIZE:,} allowances (§95911(b))",
                        quantity=quantity)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def price_usd_cents(price: Decimal, currency: Currency, rate: Decimal | None) -> int:
    if currency is Currency.USD:
        return _cents(price)
    if rate is None:
        raise ExchangeRateNotSet("the Auction Exchange Rate is needed for a CAD bid")
    return cad_to_usd_cents(_cents(price), rate)


def guarantee_usd_cents(guarantee: Money | None, rate: Decimal | None) -> int:
    if guarantee is None:
        return 0
    if guarantee.currency is Currency.USD:
        return _cents(guarantee.amount)
    if rate is None:
        raise ExchangeRateNotSet("the Auction Exchange Rate is needed for a CAD guarantee")
    return cad_to_usd_cents_floor(_cents(guarantee.amount), rate)


def guarantee_in(currency: Currency, guarantee: Money | None, rate: Decimal | None) -> Decimal:
    """The guarantee in the bidder's currency, converted down when it was given in the other one."""
    if guarantee is None:
        return Decimal("0.00")
    if guarantee.currency is currency:
        return guarantee.amount
    if rate is None:
        raise ExchangeRateNotSet("the Auction Exchange Rate is needed to convert the guarantee")
    converted = guarantee.amount * rate if currency is Currency.CAD else guarantee.amount / rate
    return converted.quantize(CENT, rounding=ROUND_FLOOR)


def max_bid_value_cents(levels: Iterable[tuple[int, int]]) -> int:
    """§95912(h)(5)(A)-(B): the highest, over the bid prices, of price × quantity bid at or above it."""
    by_price: dict[int, int] = {}
    for price, quantity in levels:
        by_price[price] = by_price.get(price, 0) + quantity
    best = cumulative = 0
    for price in sorted(by_price, reverse=True):
        cumulative += by_price[price]
        best = max(best, price * cumulative)
    return best


def check_book(bids: Sequence[Bid], changed: Bid, terms: BidderTerms, *, reserve_usd: Decimal,
               rate: Decimal | None, max_bids_per_pool: int) -> None:
    """Check `changed` (already in `bids`) and the whole active book against every limit."""
    active = [bid for bid in bids if bid.status is BidStatus.ACTIVE]
    check_shape(changed.price, changed.quantity, changed.currency, terms.currency)
    usd = {bid.id: price_usd_cents(bid.price, bid.currency, rate) for bid in active}
    reserve_cents = _cents(reserve_usd)
    if usd[changed.id] < reserve_cents:  # §95911(c)
        raise BelowReservePrice(
            f"the Auction Reserve Price is {reserve_usd} USD", reserve_price_usd=str(reserve_usd),
            bid_price_usd=str(from_cents(usd[changed.id])),
        )
    pool_bids = [bid for bid in active if bid.pool is changed.pool]
    if len(pool_bids) > max_bids_per_pool:
        raise TooManyBids(f"at most {max_bids_per_pool} bids per pool", pool=changed.pool.value)
    limit = terms.purchase_limits[changed.pool]
    in_pool = sum(bid.quantity for bid in pool_bids)
    if in_pool > limit:  # §95911(d)
        raise PurchaseLimitExceeded(
            f"your {changed.pool.value} bids total {in_pool:,} allowances; the purchase limit is {limit:,}",
            pool=changed.pool.value, purchase_limit=limit, quantity_bid=in_pool,
        )
    total = sum(bid.quantity for bid in active)
    if total > terms.holding_limit_headroom:  # §95920; §95911(e)(3)
        raise HoldingLimitExceeded(
            f"your bids total {total:,} allowances; your holding-limit headroom is "
            f"{terms.holding_limit_headroom:,}",
            holding_limit_headroom=terms.holding_limit_headroom, quantity_bid=total, source=terms.headroom_source,
        )
    # §95912(h)(5)(C): one guarantee covers the combined maximum value of Current and Advance bids
    value = sum(
        max_bid_value_cents((usd[bid.id], bid.quantity) for bid in active if bid.pool is pool) for pool in PoolKind
    )
    guarantee = guarantee_usd_cents(_in_currency(terms, rate), rate)
    if value > guarantee:
        raise BidGuaranteeExceeded(
            "the maximum value of your bids exceeds your accepted bid guarantee",
            max_bid_value_usd=str(from_cents(value)), guarantee_usd=str(from_cents(guarantee)),
            currency=terms.currency.value,
        )


def _in_currency(terms: BidderTerms, rate: Decimal | None) -> Money | None:
    if terms.guarantee is None:
        return None
    return Money(guarantee_in(terms.currency, terms.guarantee, rate), terms.currency)
