"""CAD bids and guarantees: converted to USD in whole cents at the Auction Exchange Rate."""

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
from services.auction.domain.clearing_money import (
    cad_to_usd_cents,
    cad_to_usd_cents_floor,
    from_cents,
    is_whole_cents,
    usd_to_cad_cents,
)
from services.auction.domain.clearing_result import PoolResult

D = Decimal
BIG = 10**9


def qc_cad(bidder_id: str, guarantee: str = "1000000000.00") -> Bidder:
    return Bidder(bidder_id, f"Entité {bidder_id}", "QC", Currency.CAD, "covered_entity", BIG, BIG, D(guarantee))


def ca_usd(bidder_id: str) -> Bidder:
    return Bidder(bidder_id, f"Entity {bidder_id}", "CA", Currency.USD, "covered_entity", BIG, BIG, D("1E9"))


def clear(bidders: list[Bidder], bids: list[Bid], rate: str, reserve: str = "10.00",
          offered: int = 100_000) -> PoolResult:
    auction = PoolAuction(PoolKind.CURRENT, D(reserve), D(rate),
                          {"CA": JurisdictionOffer(state_owned=offered // 2),
                           "QC": JurisdictionOffer(state_owned=offered - offered // 2)}, bidders, bids)
    return clear_pool(auction, seed=0)


def test_cad_bid_is_converted_to_usd_rounding_half_up_to_the_cent() -> None:
    # Rate 1.6 CAD/USD. 20.04 CAD / 1.6 = 12.525 USD exactly -> 12.53 (half up; half-even would
    # give 12.52). Undersubscribed: the price is that bid, 12.53 USD.
    # Cost: 2,000 × 12.53 = 25,060.00 USD -> × 1.6 = 40,096.00 CAD.
    # Settlement in CAD: 12.53 × 1.6 = 20.048 -> 20.05.
    result = clear([qc_cad("Q")], [Bid("Q", D("20.04"), 2000)], rate="1.6000")
    assert result.settlement_price_usd == D("12.53")
    assert result.settlement_price_cad == D("20.05")
    award = result.awards[0]
    assert (award.quantity, award.cost_usd, award.cost_cad) == (2000, D("25060.00"), D("40096.00"))


def test_cad_and_usd_bids_are_ranked_together_in_usd() -> None:
    # Rate 1.35. Q bids 29.70 CAD = 22.00 USD; U bids 21.99 USD. 2,000 offered:
    # Q's 1,000 @ 22.00 fills first, then U's 1,000 @ 21.99 gets the rest -> price 21.99,
    # 29.6865 CAD -> 29.69 CAD. Q pays 1,000 × 21.99 = 21,990.00 USD = 29,686.50 CAD.
    result = clear([qc_cad("Q"), ca_usd("U")],
                   [Bid("Q", D("29.70"), 1000), Bid("U", D("21.99"), 3000)], rate="1.3500", offered=2000)
    assert result.settlement_price_usd == D("21.99")
    assert result.settlement_price_cad == D("29.69")
    q, u = result.awards
    assert (q.quantity, q.cost_usd, q.cost_cad) == (1000, D("21990.00"), D("29686.50"))
    assert (u.quantity, u.cost_usd, u.cost_cad) == (1000, D("21990.00"), None)


def test_cad_bid_below_the_reserve_after_conversion_does_not_qualify() -> None:
    # 26.00 CAD / 1.35 = 19.259... -> 19.26 USD < reserve 19.70.
    result = clear([qc_cad("Q")], [Bid("Q", D("26.00"), 1000), Bid("Q", D("26.60"), 1000)],
                   rate="1.3500", reserve="19.70")
    # 26.60 / 1.35 = 19.7037 -> 19.70: qualifies, at the reserve.
    assert result.screening[0].below_reserve == 1000
    assert result.settlement_price_usd == D("19.70")


def test_cad_guarantee_is_converted_to_usd_rounding_down_for_screening() -> None:
    # 100,000.00 CAD / 1.35 = 74,074.074... -> 74,074.07 USD (down: never more than it covers).
    # Bids 2,000 @ 40.50 CAD = 30.00 USD (60,000) + 1,000 @ 33.75 CAD = 25.00 USD
    # (3,000 × 25 = 75,000 > 74,074.07): the 25.00 lot is dropped (⌊74,074.07/25,000⌋ = 2 lots).
    result = clear([qc_cad("Q", guarantee="100000.00")],
                   [Bid("Q", D("40.50"), 2000), Bid("Q", D("33.75"), 1000)], rate="1.3500")
    screening = result.screening[0]
    assert screening.guarantee_usd == D("74074.07")
    assert [(d.price_usd, d.quantity) for d in screening.guarantee_drops] == [(D("25.00"), 1000)]
    assert result.awards[0].cost_cad == D("81000.00")  # 2,000 × 30.00 × 1.35 ≤ 100,000.00 CAD


def test_money_helpers_round_as_documented() -> None:
    assert cad_to_usd_cents(3, D("2")) == 2  # 1.5 cents -> 2 (half up)
    assert cad_to_usd_cents(5, D("2")) == 3  # 2.5 -> 3
    assert cad_to_usd_cents_floor(5, D("2")) == 2  # 2.5 -> 2 (down)
    assert usd_to_cad_cents(1, D("1.5")) == 2  # 1.5 -> 2
    assert usd_to_cad_cents(1970, D("1.35")) == 2660  # 26.595 -> 26.60
    assert from_cents(0) == D("0.00") and str(from_cents(2000)) == "20.00"
    assert is_whole_cents(D("20.5")) and is_whole_cents(D("20.500"))
    assert not is_whole_cents(D("20.001")) and not is_whole_cents(D("NaN"))
