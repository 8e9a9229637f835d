"""Steps 1 (purchase and holding limits) and 2 (bid guarantee), hand-computed."""

from __future__ import annotations

from decimal import Decimal

from services.auction.domain.clearing import clear_pool
from services.auction.domain.clearing_books import Levels
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JurisdictionOffer,
    PoolAuction,
    PoolKind,
)
from services.auction.domain.clearing_result import PoolResult, Screening
from services.auction.domain.clearing_screening import max_bid_value_cents, screen_guarantee

D = Decimal
BIG = 10**9


def one_bidder(bids: list[Bid], *, purchase_limit: int = BIG, headroom: int = BIG,
               guarantee: str = "1000000000.00", offered: int = 100_000) -> PoolResult:
    bidder = Bidder("X", "Entity X", "CA", Currency.USD, "covered_entity", purchase_limit, headroom, D(guarantee))
    auction = PoolAuction(PoolKind.CURRENT, D("10.00"), D("1.35"),
                          {"CA": JurisdictionOffer(state_owned=offered)}, [bidder], bids)
    return clear_pool(auction, seed=0)


def cuts(screening: Screening) -> list[tuple[Decimal, int]]:
    return [(cut.price_usd, cut.quantity) for cut in screening.limit_cuts]


def test_purchase_limit_cuts_lots_lowest_price_first() -> None:
    # Purchase limit 4,500 (headroom larger) -> at most 4 whole lots = 4,000.
    # Bids: 3,000 @ 30.00, 2,000 @ 25.00, 1,000 @ 20.00 = 6,000: 2,000 too many. Cut from the
    # lowest: 1,000 @ 20.00, then 1,000 of the 2,000 @ 25.00. Kept: 3,000 @ 30 + 1,000 @ 25.
    result = one_bidder([Bid("X", D("30.00"), 3000), Bid("X", D("25.00"), 2000), Bid("X", D("20.00"), 1000)],
                        purchase_limit=4500, headroom=50_000)
    screening = result.screening[0]
    assert screening.limit_reason == "purchase_limit"
    assert screening.effective_limit == 4500
    assert cuts(screening) == [(D("20.00"), 1000), (D("25.00"), 1000)]
    assert screening.accepted_quantity == 4000
    # Undersubscribed, so the kept lots are all filled; the lowest kept bid, 25.00, is the price.
    assert result.awards[0].quantity == 4000
    assert result.settlement_price_usd == D("25.00")


def test_holding_limit_headroom_cuts_lots_when_it_is_below_the_purchase_limit() -> None:
    # Headroom 2,000 < purchase limit 10,000 -> keep 2,000: the 2,000 @ 30.00. Cut 1,000 @ 28.00
    # and 1,000 @ 26.00, reason holding_limit (§95920).
    result = one_bidder([Bid("X", D("30.00"), 2000), Bid("X", D("28.00"), 1000), Bid("X", D("26.00"), 1000)],
                        purchase_limit=10_000, headroom=2000)
    screening = result.screening[0]
    assert screening.limit_reason == "holding_limit"
    assert cuts(screening) == [(D("26.00"), 1000), (D("28.00"), 1000)]
    assert result.awards[0].quantity == 2000


def test_bids_within_both_limits_are_not_cut() -> None:
    result = one_bidder([Bid("X", D("30.00"), 2000)], purchase_limit=2000, headroom=2000)
    assert result.screening[0].limit_reason is None
    assert result.screening[0].limit_cuts == ()


def test_guarantee_screening_cuts_lots_that_re_enter_at_a_lower_price_where_they_fit() -> None:
    # Guarantee 80,000.00. Bids: 3,000 @ 25.00, 2,000 @ 20.00, 2,000 @ 12.00.
    # Maximum bid value: max(25×3,000 = 75,000; 20×5,000 = 100,000; 12×7,000 = 84,000) = 100,000
    # > 80,000. Walk down:
    #   25.00: cap ⌊80,000 / 25,000⌋ = 3 lots -> accept 3,000 (cumulative 3,000).
    #   20.00: cap ⌊80,000 / 20,000⌋ = 4 lots -> room 1,000: accept 1,000, carry 1,000 (bid @ 20).
    #   12.00: cap ⌊80,000 / 12,000⌋ = 6 lots -> room 2,000: the carried 1,000 re-enters @ 12.00,
    #          then 1,000 of the own 2,000 @ 12.00; the last 1,000 @ 12.00 fits nowhere: dropped.
    # Accepted 3,000 @ 25, 1,000 @ 20, 2,000 @ 12: values 75,000, 80,000, 72,000 ≤ 80,000.
    result = one_bidder([Bid("X", D("25.00"), 3000), Bid("X", D("20.00"), 2000), Bid("X", D("12.00"), 2000)],
                        guarantee="80000.00")
    screening = result.screening[0]
    assert screening.max_bid_value_usd == D("100000.00")
    assert [(r.from_price_usd, r.to_price_usd, r.quantity) for r in screening.guarantee_reentries] == [
        (D("20.00"), D("12.00"), 1000)]
    assert [(d.price_usd, d.quantity) for d in screening.guarantee_drops] == [(D("12.00"), 1000)]
    assert screening.accepted_quantity == 6000
    # Undersubscribed (100,000 offered): all 6,000 filled at the lowest, 12.00: 72,000 ≤ 80,000.
    assert result.settlement_price_usd == D("12.00")
    assert (result.awards[0].quantity, result.awards[0].cost_usd) == (6000, D("72000.00"))


def test_guarantee_cut_lots_all_re_enter_when_the_lower_price_has_room() -> None:
    # Guarantee 90,000: 25.00 cap 3 lots (3.6); 20.00 cap 4 lots (4.5): 1,000 carried;
    # 12.00 cap 7 lots (7.5): room 3,000 takes the carried 1,000 and the own 2,000. Nothing dropped.
    levels = Levels([2500, 2000, 1200], [3000, 2000, 2000])
    screen = screen_guarantee(levels, 9_000_000)
    assert screen.accepted == Levels([2500, 2000, 1200], [3000, 1000, 3000])
    assert screen.reentries == [(2000, 1200, 1000)]
    assert screen.drops == []
    assert max_bid_value_cents(screen.accepted) == 8_400_000  # 12 × 7,000 = 84,000 ≤ 90,000


def test_guarantee_covering_the_maximum_bid_value_leaves_bids_untouched() -> None:
    levels = Levels([2500, 2000], [3000, 2000])  # max(75,000, 100,000) = 100,000
    screen = screen_guarantee(levels, 10_000_000)
    assert screen.accepted == levels and screen.reentries == [] and screen.drops == []


def test_zero_guarantee_drops_every_lot() -> None:
    result = one_bidder([Bid("X", D("25.00"), 3000)], guarantee="0")
    assert result.screening[0].accepted_quantity == 0
    assert result.total_sold == 0


def test_limits_are_applied_before_the_guarantee() -> None:
    # Limit 3,000 keeps 3,000 @ 25.00 (cuts 2,000 @ 20.00) before the guarantee is looked at, so
    # the maximum bid value is 75,000 and a 75,000.00 guarantee cuts nothing more.
    result = one_bidder([Bid("X", D("25.00"), 3000), Bid("X", D("20.00"), 2000)],
                        purchase_limit=3000, guarantee="75000.00")
    screening = result.screening[0]
    assert cuts(screening) == [(D("20.00"), 2000)]
    assert screening.max_bid_value_usd == D("75000.00")
    assert screening.guarantee_drops == () and screening.accepted_quantity == 3000
