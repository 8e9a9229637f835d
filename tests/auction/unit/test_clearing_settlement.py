"""Step 3: ranking, the uniform settlement price, under- and oversubscription (hand-computed)."""

from __future__ import annotations

from decimal import Decimal

from services.auction.domain.clearing import clear_pool
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


def bidder(bidder_id: str) -> Bidder:
    return Bidder(bidder_id, f"Entity {bidder_id}", "CA", Currency.USD, "covered_entity", BIG, BIG, D("1E12"))


def clear(bids: list[Bid], ca: int, qc: int = 0, reserve: str = "19.70") -> PoolResult:
    offers = {"CA": JurisdictionOffer(state_owned=ca)}
    if qc:
        offers["QC"] = JurisdictionOffer(state_owned=qc)
    ids = sorted({b.bidder_id for b in bids})
    auction = PoolAuction(PoolKind.CURRENT, D(reserve), D("1.35"), offers, [bidder(i) for i in ids], bids)
    return clear_pool(auction, seed=1)


def awarded(result: PoolResult) -> dict[str, int]:
    return {award.bidder_id: award.quantity for award in result.awards}


def costs(result: PoolResult) -> dict[str, Decimal]:
    return {award.bidder_id: award.cost_usd for award in result.awards}


def test_undersubscribed_auction_settles_at_the_reserve_when_the_lowest_qualifying_bid_is_the_reserve() -> None:
    # Reserve 19.70, 10,000 offered. A: 3,000 @ 25.00; B: 2,000 @ 19.70 and 1,000 @ 19.69 (below
    # the reserve: not qualifying). Qualifying demand 5,000 < 10,000: every qualifying lot is
    # filled; the lowest filled bid is 19.70 = the reserve.
    # A pays 3,000 × 19.70 = 59,100.00; B pays 2,000 × 19.70 = 39,400.00; unsold 10,000 - 5,000.
    result = clear([Bid("A", D("25.00"), 3000), Bid("B", D("19.70"), 2000), Bid("B", D("19.69"), 1000)],
                   ca=10_000)
    assert result.undersubscribed is True
    assert result.settlement_price_usd == D("19.70")
    assert result.settlement_price_cad == D("26.60")  # 19.70 × 1.35 = 26.595 -> 26.60 (half up)
    assert awarded(result) == {"A": 3000, "B": 2000}
    assert costs(result) == {"A": D("59100.00"), "B": D("39400.00")}
    assert (result.total_sold, result.total_unsold) == (5000, 5000)
    assert result.screening[1].below_reserve == 1000
    assert result.tie_break is None


def test_undersubscribed_auction_settles_at_the_lowest_qualifying_bid_when_no_one_bid_the_reserve() -> None:
    # Decision (docs/auction-clearing.md): undersubscribed -> the lowest qualifying bid price
    # (DOMAIN.md), which is the price of the lowest bid filled, not the reserve itself.
    # Reserve 19.70; A: 3,000 @ 25.00, B: 2,000 @ 21.50; 10,000 offered -> price 21.50.
    # A pays 3,000 × 21.50 = 64,500.00; B pays 2,000 × 21.50 = 43,000.00.
    result = clear([Bid("A", D("25.00"), 3000), Bid("B", D("21.50"), 2000)], ca=10_000)
    assert result.undersubscribed is True
    assert result.settlement_price_usd == D("21.50")
    assert costs(result) == {"A": D("64500.00"), "B": D("43000.00")}
    assert result.total_unsold == 5000


def test_oversubscribed_auction_settles_at_the_price_of_the_lowest_bid_filled() -> None:
    # 10,000 offered. Ranked: A 4,000 @ 30.00 (cum 4,000), B 5,000 @ 28.00 (cum 9,000),
    # C 3,000 @ 27.50 (cum 12,000 > 10,000: supply runs out here), D 2,000 @ 26.00 (nothing left).
    # Settlement 27.50; C gets 10,000 - 9,000 = 1,000. Everyone pays 27.50:
    # A 4,000 × 27.50 = 110,000.00; B 137,500.00; C 27,500.00; D 0.
    result = clear([Bid("A", D("30.00"), 4000), Bid("B", D("28.00"), 5000),
                    Bid("C", D("27.50"), 3000), Bid("D", D("26.00"), 2000)], ca=10_000)
    assert result.undersubscribed is False
    assert result.settlement_price_usd == D("27.50")
    assert awarded(result) == {"A": 4000, "B": 5000, "C": 1000, "D": 0}
    assert costs(result) == {"A": D("110000.00"), "B": D("137500.00"), "C": D("27500.00"), "D": D("0.00")}
    assert (result.total_sold, result.total_unsold) == (10_000, 0)


def test_demand_exactly_equal_to_supply_sells_out_at_the_lowest_bid_and_is_not_undersubscribed() -> None:
    # 5,000 offered; A 3,000 @ 30.00 + B 2,000 @ 20.00 = 5,000: all filled, price 20.00.
    result = clear([Bid("A", D("30.00"), 3000), Bid("B", D("20.00"), 2000), Bid("C", D("19.99"), 1000)],
                   ca=5000)
    assert result.undersubscribed is False
    assert result.settlement_price_usd == D("20.00")
    assert awarded(result) == {"A": 3000, "B": 2000, "C": 0}
    assert result.tie_break is None


def test_offered_quantity_that_is_not_a_multiple_of_a_lot_sells_out_to_the_allowance() -> None:
    # Offered CA 7,250 + QC 3,250 = 10,500 (not whole lots). A 6,000 @ 22.00 fills first
    # (cum 6,000); B 6,000 @ 21.00 gets the 4,500 left, a part of a lot. Price 21.00.
    result = clear([Bid("A", D("22.00"), 6000), Bid("B", D("21.00"), 6000)], ca=7250, qc=3250)
    assert result.total_offered == 10_500
    assert result.settlement_price_usd == D("21.00")
    assert awarded(result) == {"A": 6000, "B": 4500}
    assert costs(result)["B"] == D("94500.00")  # 4,500 × 21.00
    assert result.total_unsold == 0
    assert {sale.jurisdiction: sale.sold for sale in result.jurisdictions} == {"CA": 7250, "QC": 3250}


def test_auction_with_no_qualifying_bid_sells_nothing_and_has_no_settlement_price() -> None:
    result = clear([Bid("A", D("19.69"), 1000)], ca=10_000)
    assert result.settlement_price_usd is None
    assert result.settlement_price_cad is None
    assert result.undersubscribed is True
    assert (result.total_sold, result.total_unsold) == (0, 10_000)
    assert awarded(result) == {"A": 0}


def test_bids_at_exactly_the_reserve_qualify_and_one_cent_below_does_not() -> None:
    result = clear([Bid("A", D("19.70"), 1000), Bid("B", D("19.69"), 1000)], ca=10_000)
    assert awarded(result) == {"A": 1000, "B": 0}
    assert [s.below_reserve for s in result.screening] == [0, 1000]


def test_two_bids_of_one_bidder_at_one_price_count_as_one_price_level() -> None:
    result = clear([Bid("A", D("25"), 1000), Bid("A", D("25.00"), 2000), Bid("B", D("24.00"), 5000)],
                   ca=4000)
    # A 3,000 @ 25.00 fills, B gets the remaining 1,000 at 24.00.
    assert result.settlement_price_usd == D("24.00")
    assert awarded(result) == {"A": 3000, "B": 1000}
