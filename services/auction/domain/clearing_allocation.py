"""Steps 3 and 4: rank the screened bids, find the settlement price, split ties.

Works in integer USD cents. Cost: the demand is summed per distinct price (O(n)) and only the
distinct prices are sorted; the tie split loops over the tied bidders, never over allowances.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from operator import neg

from services.auction.domain.clearing_books import Levels


@dataclass(frozen=True, slots=True)
class TieOutcome:
    price_cents: int
    remaining_supply: int
    tied_quantity: int
    remainder: int
    draw_order: tuple[str, ...]
    shares: tuple[tuple[str, int, int, int], ...]  # (bidder, tied, pro rata, remainder unit)


@dataclass(frozen=True, slots=True)
class Fill:
    """settlement_cents is None when nothing is sold; awards has every bidder with accepted bids."""

    settlement_cents: int | None
    sold: int
    demand: int
    awards: dict[str, int]
    tie: TieOutcome | None


def settlement_price_cents(demand_by_price: Mapping[int, int], supply: int) -> int | None:
    """The price of the lowest bid filled (§95911(e); DOMAIN.md "Auctions", step 3).

    Bids are filled from the highest price down until the supply runs out; the settlement price
    is the price of the last level that received allowances. When the bids run out first
    (undersubscribed) that is the lowest qualifying bid price left after screening: the reserve
    price when someone bid the reserve, higher otherwise. None when nothing can be sold.
    """
    remaining = supply
    settlement: int | None = None
    for price in sorted(demand_by_price, reverse=True):
        if remaining <= 0:
            break
        settlement = price
        remaining -= demand_by_price[price]
    return settlement


def fill(accepted: Mapping[str, Levels], supply: int, seed: int) -> Fill:
    """Step 3: one uniform settlement price; everything above it is filled in full; step 4 at it."""
    demand_by_price: dict[int, int] = {}
    for levels in accepted.values():
        for price, quantity in zip(levels.prices, levels.quantities, strict=True):
            demand_by_price[price] = demand_by_price.get(price, 0) + quantity
    demand = sum(demand_by_price.values())
    settlement = settlement_price_cents(demand_by_price, supply)
    if settlement is None:
        return Fill(None, 0, demand, dict.fromkeys(accepted, 0), None)
    awards: dict[str, int] = {}
    tied: dict[str, int] = {}
    for bidder_id, levels in accepted.items():
        prices = levels.prices  # descending: the levels above the settlement price come first
        at = bisect_left(prices, -settlement, key=neg)
        awards[bidder_id] = sum(levels.quantities[:at])
        if at < len(prices) and prices[at] == settlement:
            tied[bidder_id] = levels.quantities[at]
    remaining = supply - sum(awards.values())
    tie: TieOutcome | None = None
    if demand_by_price[settlement] > remaining:
        tie = split_tie(tied, remaining, settlement, seed)
        for bidder_id, _, pro_rata, extra in tie.shares:
            awards[bidder_id] += pro_rata + extra
    else:
        for bidder_id, quantity in tied.items():
            awards[bidder_id] += quantity
    return Fill(settlement, min(supply, demand), demand, awards, tie)


def split_tie(tied: Mapping[str, int], remaining: int, price_cents: int, seed: int) -> TieOutcome:
    """Step 4: split `remaining` allowances among the bids tied at the settlement price.

    Each tied bidder gets ⌊remaining × tied_i / tied_total⌋ whole allowances (pro rata, rounded
    down). The r allowances left over (r < number of tied bidders) go one at a time to the
    bidders whose pro rata share had a fraction, in an order drawn with random.Random(seed):
    the candidates are listed by bidder id and shuffled; the first r get one allowance each.
    Only bidders rounded down are candidates, so no one gets more than its share rounded up.
    Same input and seed, same draw: an auditor replays it with the recorded seed.
    """
    total = sum(tied.values())
    ids = sorted(tied)
    pro_rata = {bidder_id: remaining * tied[bidder_id] // total for bidder_id in ids}
    remainder = remaining - sum(pro_rata.values())
    candidates = [bidder_id for bidder_id in ids if remaining * tied[bidder_id] % total]
    # Not for security: a reproducible draw from a recorded seed is the requirement.
    random.Random(seed).shuffle(candidates)  # noqa: S311
    winners = set(candidates[:remainder])
    shares = tuple(
        (bidder_id, tied[bidder_id], pro_rata[bidder_id], 1 if bidder_id in winners else 0)
        for bidder_id in ids
    )
    return TieOutcome(price_cents, remaining, total, remainder, tuple(candidates), shares)
