"""Grouping bids per bidder, then screening steps 1 (limits) and 2 (bid guarantee).

Works in integer USD cents. A bidder's bids are aggregated into price levels: two bids of one
bidder at one price are one level, so "lots at a price" is well defined.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.auction.domain.clearing_errors import InvalidClearingInput, NotInLots, UnknownBidder
from services.auction.domain.clearing_input import LOT_SIZE, Bid, Bidder, Currency
from services.auction.domain.clearing_money import cad_to_usd_cents, to_cents
from services.auction.domain.clearing_validation import MAX_QUANTITY, check_price

Level = tuple[int, int]  # (USD price in cents, allowances)

PURCHASE_LIMIT = "purchase_limit"
HOLDING_LIMIT = "holding_limit"


@dataclass(slots=True)
class BidBook:
    """One bidder's qualifying bids by USD price in cents, and the allowances bid below the reserve."""

    levels: dict[int, int] = field(default_factory=dict)
    below_reserve: int = 0

    def levels_desc(self) -> list[Level]:
        return sorted(self.levels.items(), reverse=True)


def build_books(
    bids: Sequence[Bid],
    bidders: Mapping[str, Bidder],
    reserve_cents: int,
    cad_per_usd: Decimal,
    prefix: str = "",
) -> dict[str, BidBook]:
    """Validate every bid and group them by bidder; one pass, O(n).

    §95911(b): lots of 1,000 and whole cents. CAD prices are converted to USD cents, rounded
    half up, and compared with the reserve in USD: bids below it are not qualifying (§95911(c)).
    """
    books: dict[str, BidBook] = {}
    usd_cents: dict[tuple[Currency, Decimal], int] = {}  # conversion memo: few distinct prices
    for index, bid in enumerate(bids):
        bidder = bidders.get(bid.bidder_id)
        if bidder is None:
            raise UnknownBidder(f"{prefix}bids[{index}].bidder {bid.bidder_id!r} is not in bidders")
        quantity = bid.quantity
        if type(quantity) is not int or quantity <= 0 or quantity % LOT_SIZE or quantity > MAX_QUANTITY:
            raise NotInLots(f"{prefix}bids[{index}].quantity must be a positive multiple of {LOT_SIZE:,}, "
                            f"got {quantity!r}")
        if not isinstance(bid.price, Decimal):
            raise InvalidClearingInput(f"{prefix}bids[{index}].price must be a decimal number")
        key = (bidder.currency, bid.price)
        cents = usd_cents.get(key)
        if cents is None:
            cents = _usd_price_cents(bid.price, bidder.currency, cad_per_usd, f"{prefix}bids[{index}].price")
            usd_cents[key] = cents
        book = books.get(bid.bidder_id)
        if book is None:
            book = books[bid.bidder_id] = BidBook()
        if cents < reserve_cents:
            book.below_reserve += quantity
        else:
            book.levels[cents] = book.levels.get(cents, 0) + quantity
    return books


def _usd_price_cents(price: Decimal, currency: Currency, cad_per_usd: Decimal, path: str) -> int:
    checked = check_price(price, path)
    if currency is Currency.CAD:
        return cad_to_usd_cents(to_cents(checked), cad_per_usd)
    return to_cents(checked)


@dataclass(frozen=True, slots=True)
class LimitScreen:
    kept: list[Level]
    cuts: list[Level]  # lowest price first
    effective_limit: int
    reason: str | None


def screen_limits(levels_desc: list[Level], bidder: Bidder) -> LimitScreen:
    """Step 1: keep the highest-priced lots within min(purchase limit, holding-limit headroom).

    §95911(d) purchase limit, §95920 holding limit: lots are dropped starting from the bidder's
    lowest-priced bids, a whole lot at a time, so the limit is floored to whole lots. When the two
    limits are equal the reason given is the purchase limit.
    """
    limit = min(bidder.purchase_limit, bidder.holding_limit_headroom)
    reason = PURCHASE_LIMIT if bidder.purchase_limit <= bidder.holding_limit_headroom else HOLDING_LIMIT
    room = limit // LOT_SIZE * LOT_SIZE
    kept: list[Level] = []
    cuts: list[Level] = []
    for price, quantity in levels_desc:
        take = min(quantity, room)
        room -= take
        if take:
            kept.append((price, take))
        if take < quantity:
            cuts.append((price, quantity - take))
    cuts.reverse()
    return LimitScreen(kept, cuts, limit, reason if cuts else None)


def max_bid_value_cents(levels_desc: Sequence[Level]) -> int:
    """§95912(h)(5)(A)-(B): max over the bid prices p of p × (all the bidder's lots at p or higher)."""
    best = cumulative = 0
    for price, quantity in levels_desc:
        cumulative += quantity
        best = max(best, price * cumulative)
    return best


@dataclass(frozen=True, slots=True)
class GuaranteeScreen:
    accepted: list[Level]
    reentries: list[tuple[int, int, int]]  # (from price, to price, allowances)
    drops: list[Level]  # lots that fit at no lower price, by the price they were bid at


def screen_guarantee(levels_desc: list[Level], guarantee_cents: int) -> GuaranteeScreen:
    """Step 2: cut lots whose value exceeds the bid guarantee; cut lots re-enter lower where they fit.

    Walking the bidder's prices from highest to lowest, the lots at price p (its own, plus lots
    carried down from higher prices) are accepted while p × cumulative accepted ≤ guarantee,
    i.e. up to cap(p) = ⌊guarantee / (p × 1,000)⌋ lots cumulative (§95912(h)(5)). Lots over
    cap(p) are carried to the next lower price, the highest at which they may still fit; carried
    lots are placed before the level's own lots (they were bid higher), oldest first. Lots still
    carried after the lowest price are dropped. Every accepted level then satisfies
    p × cumulative ≤ guarantee, so the maximum bid value is within the guarantee.
    """
    accepted: list[Level] = []
    reentries: list[tuple[int, int, int]] = []
    carried: deque[list[int]] = deque()  # [price bid at, allowances]
    cumulative = 0
    for price, quantity in levels_desc:
        room = max(0, guarantee_cents // (price * LOT_SIZE) * LOT_SIZE - cumulative)
        placed = 0
        while carried and room:
            origin = carried[0]
            moved = min(origin[1], room)
            reentries.append((origin[0], price, moved))
            origin[1] -= moved
            room -= moved
            placed += moved
            if not origin[1]:
                carried.popleft()
        own = min(quantity, room)
        placed += own
        if own < quantity:
            carried.append([price, quantity - own])
        if placed:
            accepted.append((price, placed))
            cumulative += placed
    return GuaranteeScreen(accepted, reentries, [(price, left) for price, left in carried])
