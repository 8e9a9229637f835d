"""Who sold: the joint split between jurisdictions, and California's order of sale with consignors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.auction.domain.clearing import clear_pool
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JurisdictionOffer,
    PoolAuction,
    PoolKind,
    SaleCategory,
)
from services.auction.domain.clearing_result import PoolResult
from services.auction.domain.clearing_split import split_largest_remainder

D = Decimal
BIG = 10**9


def clear(offers: dict[str, JurisdictionOffer], demand: int, price: str = "20.00") -> PoolResult:
    """One bidder bids `demand` at `price`; with demand below the supply every lot sells."""
    bidder = Bidder("X", "Entity X", "CA", Currency.USD, "covered_entity", BIG, BIG, D("1E12"))
    auction = PoolAuction(PoolKind.CURRENT, D("10.00"), D("1.35"), offers, [bidder],
                          [Bid("X", D(price), demand)])
    return clear_pool(auction, seed=0)


def sold_by_jurisdiction(result: PoolResult) -> dict[str, int]:
    return {sale.jurisdiction: sale.sold for sale in result.jurisdictions}


def test_joint_split_gives_the_extra_allowance_to_the_largest_remainder() -> None:
    # Offered CA 7,001 + QC 2,999 = 10,000; sold 3,000.
    # CA 3,000 × 7,001 / 10,000 = 2,100.3 -> 2,100; QC 3,000 × 2,999 / 10,000 = 899.7 -> 899.
    # 1 left over -> QC (remainder .7 > .3): CA 2,100, QC 900.
    result = clear({"CA": JurisdictionOffer(state_owned=7001), "QC": JurisdictionOffer(state_owned=2999)}, 3000)
    assert sold_by_jurisdiction(result) == {"CA": 2100, "QC": 900}
    assert result.total_unsold == 7000


def test_joint_split_breaks_equal_remainders_by_the_larger_offer() -> None:
    # Offered CA 6,667 + QC 3,333; sold 5,000: CA 3,333.5, QC 1,666.5 -> 3,333 + 1,666, one left,
    # remainders equal (.5): the larger offer, CA, gets it: CA 3,334, QC 1,666.
    result = clear({"CA": JurisdictionOffer(state_owned=6667), "QC": JurisdictionOffer(state_owned=3333)}, 5000)
    assert sold_by_jurisdiction(result) == {"CA": 3334, "QC": 1666}


def test_california_sells_consigned_then_untimely_then_reintroduced_then_state_owned() -> None:
    # CA offers consigned 3,000 (UTIL-A) + 1,000 (UTIL-B), untimely 500, re-introduced 1,500,
    # state-owned 4,000 = 10,000. Sold 6,000 at 20.00: consigned 4,000 (all), untimely 500,
    # re-introduced 1,500, state-owned 0. UTIL-A sells 3,000 = 60,000.00; UTIL-B 1,000 = 20,000.00.
    offer = JurisdictionOffer(state_owned=4000, consigned={"UTIL-A": 3000, "UTIL-B": 1000},
                              untimely_surrender=500, reintroduced_state_owned=1500)
    result = clear({"CA": offer}, 6000)
    (ca,) = result.jurisdictions
    assert [(c.category, c.offered, c.sold) for c in ca.categories] == [
        (SaleCategory.CONSIGNED, 4000, 4000),
        (SaleCategory.UNTIMELY_SURRENDER, 500, 500),
        (SaleCategory.REINTRODUCED_STATE_OWNED, 1500, 1500),
        (SaleCategory.STATE_OWNED, 4000, 0),
    ]
    assert [(c.entity_id, c.sold, c.value_sold_usd) for c in result.consignors] == [
        ("UTIL-A", 3000, D("60000.00")), ("UTIL-B", 1000, D("20000.00"))]


def test_consignors_share_a_partial_sale_pro_rata_by_largest_remainder() -> None:
    # Consigned A 1,001, B 1,001, C 998 (3,000) + state-owned 1,000; sold 2,000, all consigned.
    # A 2,000 × 1,001/3,000 = 667.33 -> 667; B 667; C 2,000 × 998/3,000 = 665.33 -> 665; sum 1,999.
    # Remainders all 1/3: the larger consignment first (A, B tie), then the id: A gets the 1.
    # Values at 21.00: A 668 × 21 = 14,028.00; B 667 × 21 = 14,007.00; C 665 × 21 = 13,965.00.
    offer = JurisdictionOffer(state_owned=1000, consigned={"C": 998, "B": 1001, "A": 1001})
    result = clear({"CA": offer}, 2000, price="21.00")
    assert [(c.entity_id, c.offered, c.sold, c.value_sold_usd) for c in result.consignors] == [
        ("A", 1001, 668, D("14028.00")), ("B", 1001, 667, D("14007.00")), ("C", 998, 665, D("13965.00"))]
    assert result.jurisdictions[0].categories[-1].sold == 0  # no state-owned allowance sold


def test_joint_split_then_california_order_of_sale() -> None:
    # CA: consigned 2,000 + state-owned 4,000 = 6,000; QC 4,000. Sold 5,000:
    # CA 5,000 × 6/10 = 3,000 (consigned 2,000, state-owned 1,000); QC 2,000.
    offers = {"CA": JurisdictionOffer(state_owned=4000, consigned={"UTIL": 2000}),
              "QC": JurisdictionOffer(state_owned=4000)}
    result = clear(offers, 5000)
    assert sold_by_jurisdiction(result) == {"CA": 3000, "QC": 2000}
    ca = result.jurisdictions[0]
    assert {c.category: c.sold for c in ca.categories}[SaleCategory.STATE_OWNED] == 1000
    assert result.consignors[0].sold == 2000


def test_largest_remainder_split_sums_to_the_total_and_is_deterministic() -> None:
    weights = [("a", 1), ("b", 1), ("c", 1)]
    assert split_largest_remainder(2, weights) == {"a": 1, "b": 1, "c": 0}  # ties: by key
    assert split_largest_remainder(0, weights) == {"a": 0, "b": 0, "c": 0}
    assert split_largest_remainder(0, [("a", 0)]) == {"a": 0}
    with pytest.raises(ValueError):
        split_largest_remainder(4, weights)
