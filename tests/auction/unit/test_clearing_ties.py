"""Step 4: bids tied at the settlement price, pro rata with a seeded random remainder."""

from __future__ import annotations

import random
from decimal import Decimal

from services.auction.domain.clearing import clear_pool
from services.auction.domain.clearing_allocation import split_tie
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JurisdictionOffer,
    PoolAuction,
    PoolKind,
)
from services.auction.domain.clearing_result import PoolResult

D = Decimal
BIG = 10**9


def auction(bids: list[Bid], offered: int) -> PoolAuction:
    ids = sorted({b.bidder_id for b in bids})
    bidders = [Bidder(i, f"Entity {i}", "CA", Currency.USD, "covered_entity", BIG, BIG, D("1E12")) for i in ids]
    return PoolAuction(PoolKind.CURRENT, D("10.00"), D("1.35"),
                       {"CA": JurisdictionOffer(state_owned=offered)}, bidders, bids)


def awarded(result: PoolResult) -> dict[str, int]:
    return {award.bidder_id: award.quantity for award in result.awards}


TIED = [Bid("A", D("30.00"), 5000), Bid("B", D("25.00"), 3000), Bid("C", D("25.00"), 3000),
        Bid("D", D("25.00"), 1000), Bid("E", D("24.99"), 9000)]


def test_ties_at_settlement_price_are_split_pro_rata_with_seeded_remainder() -> None:
    # 10,000 offered. A 5,000 @ 30.00 fills; 5,000 left for 7,000 tied at 25.00 (B 3,000, C 3,000,
    # D 1,000). Pro rata, rounded down: B 5,000×3/7 = 2,142.86 -> 2,142; C 2,142;
    # D 5,000×1/7 = 714.29 -> 714. Sum 4,998: remainder 2, one each to the first two of the
    # candidates [B, C, D] shuffled by random.Random(0): [B, D, C] -> B and D get one more.
    result = clear_pool(auction(TIED, 10_000), seed=0)
    assert result.settlement_price_usd == D("25.00")
    assert awarded(result) == {"A": 5000, "B": 2143, "C": 2142, "D": 715, "E": 0}
    tie = result.tie_break
    assert tie is not None
    assert (tie.remaining_supply, tie.tied_quantity, tie.remainder) == (5000, 7000, 2)
    assert tie.draw_order == ("B", "D", "C")
    assert [(s.bidder_id, s.pro_rata_quantity, s.remainder_quantity) for s in tie.shares] == [
        ("B", 2142, 1), ("C", 2142, 0), ("D", 714, 1)]
    assert result.total_sold == 10_000


def test_tie_remainder_draw_is_replayable_by_an_auditor_from_the_recorded_seed() -> None:
    result = clear_pool(auction(TIED, 10_000), seed=4)
    candidates = ["B", "C", "D"]  # the rounded-down bidders, by id
    random.Random(result.seed).shuffle(candidates)
    assert result.tie_break is not None
    assert list(result.tie_break.draw_order) == candidates == ["D", "C", "B"]
    assert awarded(result) == {"A": 5000, "B": 2142, "C": 2143, "D": 715, "E": 0}


def test_same_input_and_seed_give_identical_results() -> None:
    assert clear_pool(auction(TIED, 10_000), seed=12345) == clear_pool(auction(TIED, 10_000), seed=12345)


def test_different_seeds_give_the_remainder_to_different_bidders() -> None:
    winners: set[tuple[str, ...]] = set()
    for seed in range(20):
        tie = clear_pool(auction(TIED, 10_000), seed=seed).tie_break
        assert tie is not None
        winners.add(tuple(share.bidder_id for share in tie.shares if share.remainder_quantity))
    assert winners == {("B", "C"), ("B", "D"), ("C", "D")}


def test_only_bidders_rounded_down_draw_for_the_remainder() -> None:
    # 1,002 offered; tied at 25.00: B 2,000, C 1,000, D 1,000 (4,000). Pro rata: B 1,002×2/4 = 501
    # exactly; C 250.5 -> 250; D 250.5 -> 250. Remainder 1,002 - 1,001 = 1, drawn between C and D
    # only (B's share had no fraction). random.Random(0).shuffle(["C", "D"]) == ["C", "D"] -> C.
    bids = [Bid("B", D("25.00"), 2000), Bid("C", D("25.00"), 1000), Bid("D", D("25.00"), 1000)]
    result = clear_pool(auction(bids, 1002), seed=0)
    assert awarded(result) == {"B": 501, "C": 251, "D": 250}
    assert result.tie_break is not None and result.tie_break.draw_order == ("C", "D")
    result = clear_pool(auction(bids, 1002), seed=1)  # shuffle -> ["D", "C"]
    assert awarded(result) == {"B": 501, "C": 250, "D": 251}


def test_a_single_bidder_at_the_settlement_price_takes_all_that_is_left() -> None:
    bids = [Bid("A", D("30.00"), 2000), Bid("B", D("20.00"), 5000)]
    result = clear_pool(auction(bids, 3500), seed=0)
    assert awarded(result) == {"A": 2000, "B": 1500}
    assert result.tie_break is not None and result.tie_break.remainder == 0


def test_tie_split_loops_over_bidders_not_allowances() -> None:
    # 10 million allowances shared by three bidders: exact integer arithmetic, instant.
    tie = split_tie({"B": 3_000_000_000, "C": 3_000_000_000, "D": 1_000_000_000}, 10_000_001, 2500, seed=9)
    assert sum(pro + extra for _, _, pro, extra in tie.shares) == 10_000_001
    assert tie.remainder < 3
