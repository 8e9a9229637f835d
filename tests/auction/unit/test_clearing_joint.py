"""A joint Current + Advance auction: one guarantee, applied to Current first (§95912(h)(10))."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.auction.domain.clearing import clear_joint
from services.auction.domain.clearing_errors import UnknownBidder
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JointAuction,
    JurisdictionOffer,
    PoolBook,
)
from services.auction.domain.clearing_result import JointResult

D = Decimal
BIG = 10**9


def joint(current_bids: list[Bid], advance_bids: list[Bid], *, headroom: int = BIG,
          advance_limits: dict[str, int] | None = None) -> JointResult:
    bidders = [
        Bidder("X", "Entity X", "CA", Currency.USD, "covered_entity", BIG, headroom, D("100000.00")),
        Bidder("Y", "Entity Y", "CA", Currency.USD, "covered_entity", BIG, BIG, D("1000000.00")),
    ]
    auction = JointAuction(
        reserve_price=D("10.00"),
        exchange_rate=D("1.35"),
        bidders=bidders,
        current=PoolBook({"CA": JurisdictionOffer(state_owned=2000)}, current_bids),
        advance=PoolBook({"CA": JurisdictionOffer(state_owned=10_000)}, advance_bids, advance_limits or {}),
    )
    return clear_joint(auction, seed=3)


CURRENT = [Bid("X", D("30.00"), 2000), Bid("Y", D("26.00"), 1000)]


def test_guarantee_is_applied_to_current_first_and_the_remainder_screens_advance_bids() -> None:
    # X's guarantee: 100,000.00. Current: 2,000 offered; X 2,000 @ 30.00 fills it (cumulative
    # 2,000 = supply) -> price 30.00, X pays 60,000.00. Remaining for Advance: 40,000.00.
    # Advance: X bids 3,000 @ 15.00 and 1,000 @ 12.00; max bid value max(45,000, 48,000) > 40,000.
    #   15.00: cap ⌊40,000 / 15,000⌋ = 2 lots -> 2,000; 1,000 carried.
    #   12.00: cap ⌊40,000 / 12,000⌋ = 3 lots -> room 1,000: the carried lot re-enters at 12.00;
    #          X's own 1,000 @ 12.00 is dropped.
    # Advance undersubscribed (10,000 offered): X gets 3,000 at 12.00 = 36,000.00 ≤ 40,000.
    # (With the whole 100,000 guarantee it would have got 4,000.)
    result = joint(CURRENT, [Bid("X", D("15.00"), 3000), Bid("X", D("12.00"), 1000)])
    assert result.current.settlement_price_usd == D("30.00")
    assert (result.current.awards[0].quantity, result.current.awards[0].cost_usd) == (2000, D("60000.00"))
    advance_x = result.advance.screening[0]
    assert advance_x.guarantee_usd == D("40000.00")
    assert [(r.from_price_usd, r.to_price_usd, r.quantity) for r in advance_x.guarantee_reentries] == [
        (D("15.00"), D("12.00"), 1000)]
    assert [(d.price_usd, d.quantity) for d in advance_x.guarantee_drops] == [(D("12.00"), 1000)]
    assert result.advance.settlement_price_usd == D("12.00")
    assert (result.advance.awards[0].quantity, result.advance.awards[0].cost_usd) == (3000, D("36000.00"))
    use = result.guarantees[0]
    assert (use.guarantee_usd, use.current_cost_usd, use.remaining_for_advance_usd, use.advance_cost_usd) == (
        D("100000.00"), D("60000.00"), D("40000.00"), D("36000.00"))


def test_a_bidder_that_wins_nothing_in_current_keeps_its_whole_guarantee_for_advance() -> None:
    result = joint(CURRENT, [Bid("Y", D("15.00"), 1000)])
    y = result.guarantees[1]
    assert (y.bidder_id, y.current_cost_usd, y.remaining_for_advance_usd) == ("Y", D("0.00"), D("1000000.00"))
    assert result.current.awards[1].quantity == 0


def test_current_awards_reduce_the_holding_limit_headroom_for_advance() -> None:
    # X's headroom 4,000; it wins 2,000 in Current, so 2,000 is left for Advance: of its 3,000 bid
    # @ 15.00 there, 1,000 is cut for the holding limit.
    result = joint(CURRENT, [Bid("X", D("15.00"), 3000)], headroom=4000)
    screening = result.advance.screening[0]
    assert screening.limit_reason == "holding_limit"
    assert screening.effective_limit == 2000
    assert result.advance.awards[0].quantity == 2000


def test_advance_purchase_limits_apply_to_the_advance_pool_only() -> None:
    result = joint(CURRENT, [Bid("X", D("11.00"), 3000)], advance_limits={"X": 1000})
    assert result.current.awards[0].quantity == 2000
    assert result.advance.screening[0].limit_reason == "purchase_limit"
    assert result.advance.awards[0].quantity == 1000


def test_advance_purchase_limit_for_an_unknown_bidder_is_refused() -> None:
    with pytest.raises(UnknownBidder) as error:
        joint(CURRENT, [], advance_limits={"NOBODY": 1000})
    assert error.value.code == "unknown_bidder"
