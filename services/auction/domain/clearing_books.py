"""Validating the bids and grouping them per bidder into price levels in USD cents.

A bidder's bids are aggregated into price levels: two bids of one bidder at one price are one
level, so "its lots at a price" is well defined. Levels are kept as two parallel lists of ints
(prices descending, quantities) rather than one tuple per level: at a million bids this keeps
the garbage collector out of the way.

Speed: one pass over the bids with cheap checks; each distinct price is validated and converted
once (PriceMemo). When anything is wrong, a second, slow pass finds the first bad bid in input
order and reports it with its path, so errors are as precise as a per-bid check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.auction.domain.clearing_errors import InvalidClearingInput, NotInLots, UnknownBidder
from services.auction.domain.clearing_input import LOT_SIZE, Bid, Bidder, Currency
from services.auction.domain.clearing_money import cad_to_usd_cents, to_cents
from services.auction.domain.clearing_validation import MAX_QUANTITY, check_price


@dataclass(slots=True)
class Levels:
    """A bidder's bids by price: prices in USD cents, strictly descending; quantities in allowances."""

    prices: list[int] = field(default_factory=list)
    quantities: list[int] = field(default_factory=list)

    def total(self) -> int:
        return sum(self.quantities)


@dataclass(slots=True)
class BidBook:
    """One bidder's qualifying bids, and the allowances it bid below the reserve (§95911(c))."""

    levels: Levels
    below_reserve: int


class _BadBid(Exception):
    """Internal: the fast pass saw a bad bid; the slow pass says which and why."""


def build_books(
    bids: Sequence[Bid],
    bidders: Mapping[str, Bidder],
    reserve_cents: int,
    cad_per_usd: Decimal,
    prefix: str = "",
) -> dict[str, BidBook]:
    """Validate every bid and group them by bidder (§95911(b): lots of 1,000, whole cents).

    CAD prices are converted to USD cents, rounded half up (clearing_money); bids below the
    reserve in USD are not qualifying (§95911(c)).
    """
    groups = _Groups(bidders, price_memos(cad_per_usd, reserve_cents))
    try:
        _group(bids, groups)
    except (_BadBid, InvalidClearingInput, TypeError, AttributeError) as exc:
        raise_first_invalid_bid(bids, bidders, cad_per_usd, prefix)
        if isinstance(exc, InvalidClearingInput):
            raise
        raise InvalidClearingInput(f"{prefix}bids: an invalid bid") from exc
    return {bidder_id: _book(levels) for bidder_id, (levels, _) in groups.items()}


BELOW_RESERVE = -1  # the pseudo-price under which a bidder's non-qualifying allowances are summed


class PriceMemo(dict[Decimal, int]):
    """Bid price in one currency -> USD cents (or BELOW_RESERVE), each distinct price validated
    and converted once, on first sight (dict.__missing__ keeps the hot path in C)."""

    def __init__(self, currency: Currency, cad_per_usd: Decimal, reserve_cents: int) -> None:
        super().__init__()
        self._currency = currency
        self._rate = cad_per_usd
        self._reserve = reserve_cents

    def __missing__(self, price: Decimal) -> int:
        return self.usd_cents(price, "a bid price")

    def usd_cents(self, price: Decimal, path: str) -> int:
        cents = self.get(price)
        if cents is None:
            cents = to_cents(check_price(price, path))
            if self._currency is Currency.CAD:
                cents = cad_to_usd_cents(cents, self._rate)
            if cents < self._reserve:
                cents = BELOW_RESERVE
            self[price] = cents
        return cents


def price_memos(cad_per_usd: Decimal, reserve_cents: int) -> dict[Currency, PriceMemo]:
    return {currency: PriceMemo(currency, cad_per_usd, reserve_cents) for currency in Currency}


Group = tuple[defaultdict[int, int], PriceMemo]  # a bidder's allowances by USD cents; its price memo


class _Groups(dict[str, Group]):
    """Bidder id -> Group, made on the bidder's first bid; an unknown bidder stops the fast pass."""

    def __init__(self, bidders: Mapping[str, Bidder], memos: Mapping[Currency, PriceMemo]) -> None:
        super().__init__()
        self._bidders = bidders
        self._memos = memos

    def __missing__(self, bidder_id: str) -> Group:
        bidder = self._bidders.get(bidder_id)
        if bidder is None:
            raise _BadBid
        group = self[bidder_id] = (defaultdict(int), self._memos[bidder.currency])
        return group


def _group(bids: Sequence[Bid], groups: _Groups) -> None:
    """The one pass over the bids: allowances per (bidder, USD cents); cheap checks only."""
    lot, largest, decimal = LOT_SIZE, MAX_QUANTITY, Decimal  # locals: this loop runs a million times
    for bid in bids:
        levels, memo = groups[bid.bidder_id]
        quantity = bid.quantity
        price = bid.price
        if (quantity.__class__ is not int or quantity <= 0 or quantity % lot or quantity > largest
                or price.__class__ is not decimal):
            raise _BadBid
        levels[memo[price]] += quantity


def _book(levels: dict[int, int]) -> BidBook:
    below_reserve = levels.pop(BELOW_RESERVE, 0)
    prices = sorted(levels, reverse=True)
    return BidBook(Levels(prices, list(map(levels.__getitem__, prices))), below_reserve)


def raise_first_invalid_bid(bids: Sequence[Bid], bidders: Mapping[str, Bidder], cad_per_usd: Decimal,
                            prefix: str) -> None:
    """Slow pass: raise the error of the first invalid bid, in input order, with its path."""
    memos = price_memos(cad_per_usd, 0)
    for index, bid in enumerate(bids):
        path = f"{prefix}bids[{index}]"
        bidder = bidders.get(bid.bidder_id) if isinstance(bid.bidder_id, str) else None
        if bidder is None:
            raise UnknownBidder(f"{path}.bidder {bid.bidder_id!r} is not in bidders")
        quantity = bid.quantity
        if type(quantity) is not int or quantity <= 0 or quantity % LOT_SIZE or quantity > MAX_QUANTITY:
            raise NotInLots(f"{path}.quantity must be a positive multiple of {LOT_SIZE:,}, got {quantity!r}")
        if type(bid.price) is not Decimal:
            raise InvalidClearingInput(f"{path}.price must be a decimal number, got {bid.price!r}")
        memos[bidder.currency].usd_cents(bid.price, f"{path}.price")
