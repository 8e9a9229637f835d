"""Screening steps 1 (purchase and holding limits) and 2 (bid guarantee) of one bidder's bids.

Works on a bidder's Levels (prices in USD cents, descending) and returns new Levels; what was
cut is reported as (price, allowances) pairs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from itertools import accumulate
from operator import mul

from services.auction.domain.clearing_books import Levels
from services.auction.domain.clearing_input import LOT_SIZE, Bidder

PURCHASE_LIMIT = "purchase_limit"
HOLDING_LIMIT = "holding_limit"


@dataclass(frozen=True, slots=True)
class LimitScreen:
    kept: Levels
    cuts: list[tuple[int, int]]  # (price, allowances), lowest price first
    effective_limit: int
    reason: str | None


def screen_limits(levels: Levels, bidder: Bidder) -> LimitScreen:
    """Step 1: keep the highest-priced lots within min(purchase limit, holding-limit headroom).

    §95911(d) purchase limit, §95920 holding limit (§95911(e)(3)): lots are dropped starting
    from the bidder's lowest-priced bids, a whole lot at a time, so the limit is floored to
    whole lots. When the two limits are equal the reason given is the purchase limit.
    """
    limit = min(bidder.purchase_limit, bidder.holding_limit_headroom)
    room = limit // LOT_SIZE * LOT_SIZE
    if levels.total() <= room:
        return LimitScreen(levels, [], limit, None)
    cumulative = list(accumulate(levels.quantities))
    whole = bisect_right(cumulative, room)  # levels[:whole] fit entirely
    kept = Levels(levels.prices[:whole], levels.quantities[:whole])
    cuts = list(zip(levels.prices[whole:], levels.quantities[whole:], strict=True))
    partial = room - (cumulative[whole - 1] if whole else 0)
    if partial:  # the first level over the limit keeps what still fits
        price, quantity = cuts[0]
        kept.prices.append(price)
        kept.quantities.append(partial)
        cuts[0] = (price, quantity - partial)
    cuts.reverse()
    reason = PURCHASE_LIMIT if bidder.purchase_limit <= bidder.holding_limit_headroom else HOLDING_LIMIT
    return LimitScreen(kept, cuts, limit, reason)


def max_bid_value_cents(levels: Levels) -> int:
    """§95912(h)(5)(A)-(B): max over the bid prices p of p × (all the bidder's lots at p or higher)."""
    return max(map(mul, levels.prices, accumulate(levels.quantities)), default=0)


@dataclass(frozen=True, slots=True)
class GuaranteeScreen:
    accepted: Levels
    reentries: list[tuple[int, int, int]]  # (price bid at, price re-entered at, allowances)
    drops: list[tuple[int, int]]  # lots that fit at no lower price, by the price they were bid at


def screen_guarantee(levels: Levels, guarantee_cents: int, max_value_cents: int | None = None) -> GuaranteeScreen:
    """Step 2: cut lots whose value exceeds the bid guarantee; cut lots re-enter lower where they fit.

    Walking the bidder's prices from highest to lowest, the lots at price p (its own, plus lots
    carried down from higher prices) are accepted while p × cumulative accepted ≤ guarantee,
    i.e. up to cap(p) = ⌊guarantee / (p × 1,000)⌋ lots cumulative (§95912(h)(5)). Lots over
    cap(p) are carried to the next lower price, the highest at which they may still fit; carried
    lots are placed before the level's own lots (they were bid higher), oldest first. Lots still
    carried after the lowest price are dropped. Every accepted level then satisfies
    p × cumulative ≤ guarantee, so the maximum bid value is within the guarantee.
    max_value_cents, when the caller has it, saves computing max_bid_value_cents(levels) again.
    """
    if max_value_cents is None:
        max_value_cents = max_bid_value_cents(levels)
    if max_value_cents <= guarantee_cents:
        return GuaranteeScreen(levels, [], [])
    accepted = Levels()
    reentries: list[tuple[int, int, int]] = []
    carried: deque[list[int]] = deque()  # [price bid at, allowances]
    cumulative = 0
    for price, quantity in zip(levels.prices, levels.quantities, strict=True):
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
            accepted.prices.append(price)
            accepted.quantities.append(placed)
            cumulative += placed
    return GuaranteeScreen(accepted, reentries, [(price, left) for price, left in carried])
