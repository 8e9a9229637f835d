"""Benchmark: clearing an auction pool beside merely sorting the same bids by price.

    python bench/auction_clearing.py            # 1,000, 100,000 and 1,000,000 bids
    python bench/auction_clearing.py --quick    # 1,000 and 10,000 bids

For each size: the seconds to clear (validation, screening, ranking, ties, split, results),
the seconds to sort the same bids by price (highest first), their ratio, and the peak memory
allocated while clearing (tracemalloc, measured in a second, traced run so the timing is not
slowed by tracing), plus the process's peak RSS so far.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.auction.domain.clearing import clear_pool
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JurisdictionOffer,
    PoolAuction,
    PoolKind,
)

RESERVE = Decimal("19.70")
RATE = Decimal("1.3456")


def make_auction(n_bids: int, rng: random.Random) -> PoolAuction:
    """About 20 bids per bidder at 3,100 distinct prices, a tenth of the bidders in CAD, and a
    supply of about 40 % of the demand (oversubscribed: a tie at the settlement price).
    Screening has work to do: one bidder in ten bids over its purchase limit and one in ten
    over its bid guarantee; the others post a guarantee that covers their bids, as most do."""
    n_bidders = max(10, n_bids // 20)
    prices = [Decimal(cents).scaleb(-2) for cents in range(1900, 5000)]
    owners = [rng.randrange(n_bidders) for _ in range(n_bids)]
    bid_prices = [rng.choice(prices) for _ in range(n_bids)]
    quantities = [rng.randrange(1, 6) * 1000 for _ in range(n_bids)]
    demand = [0] * n_bidders
    for owner, quantity in zip(owners, quantities, strict=True):
        demand[owner] += quantity
    bidders = [_bidder(index, demand[index]) for index in range(n_bidders)]
    bids = [Bid(bidders[owner].id, price, quantity)
            for owner, price, quantity in zip(owners, bid_prices, quantities, strict=True)]
    supply = sum(quantities) * 2 // 5
    offers = {
        "CA": JurisdictionOffer(state_owned=supply * 3 // 4 - 5000, consigned={"UTIL-1": 3000, "UTIL-2": 2001}),
        "QC": JurisdictionOffer(state_owned=supply - supply * 3 // 4),
    }
    return PoolAuction(PoolKind.CURRENT, RESERVE, RATE, offers, bidders, bids)


def _bidder(index: int, demand: int) -> Bidder:
    cad = index % 10 == 0
    covering = Decimal(50 * max(demand, 1000))  # ≥ every bid value: prices are below 50.00
    guarantee = covering / 3 if index % 10 == 7 else covering
    return Bidder(
        id=f"B{index:07d}", name=f"Entity {index}", jurisdiction="QC" if cad else "CA",
        currency=Currency.CAD if cad else Currency.USD, entity_type="covered_entity",
        purchase_limit=demand // 2 + 500 if index % 10 == 3 else 10**9, holding_limit_headroom=10**9,
        bid_guarantee=(guarantee * (2 if cad else 1)).quantize(Decimal("0.01")),
    )


def measure(n_bids: int) -> tuple[float, float, float, float]:
    auction = make_auction(n_bids, random.Random(n_bids))
    gc.collect()
    started = time.perf_counter()
    result = clear_pool(auction, seed=1)
    clear_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sorted(auction.bids, key=attrgetter("price"), reverse=True)
    sort_seconds = time.perf_counter() - started
    assert result.total_sold <= result.total_offered
    gc.collect()
    tracemalloc.start()
    clear_pool(auction, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return clear_seconds, sort_seconds, peak / 2**20, max_rss_mib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 bids only")
    args = parser.parse_args(argv)
    sizes = [1_000, 10_000] if args.quick else [1_000, 100_000, 1_000_000]
    print(f"{'bids':>10} {'clear s':>9} {'sort s':>9} {'ratio':>7} {'clear peak MiB':>15} {'process RSS MiB':>16}")
    for n_bids in sizes:
        clear_s, sort_s, peak_mib, rss_mib = measure(n_bids)
        print(f"{n_bids:>10,} {clear_s:>9.3f} {sort_s:>9.3f} {clear_s / sort_s:>7.1f} {peak_mib:>15.1f} "
              f"{rss_mib:>16.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
