"""Invariants of clearing, checked on generated auctions (hypothesis).

Besides the invariants, every generated pool is cleared again by a naive reference written
here lot by lot (one list entry per 1,000 allowances, no shortcuts) and the two must agree.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from services.auction.domain.clearing import clear_joint, clear_pool
from services.auction.domain.clearing_allocation import split_tie
from services.auction.domain.clearing_books import Levels
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JointAuction,
    JurisdictionOffer,
    PoolAuction,
    PoolBook,
    PoolKind,
)
from services.auction.domain.clearing_result import PoolResult
from services.auction.domain.clearing_screening import max_bid_value_cents, screen_guarantee

D = Decimal
CENT = D("0.01")
RATES = [D("1"), D("1.25"), D("1.3456"), D("1.6"), D("0.7321")]


@st.composite
def bidders(draw: st.DrawFn, count: int) -> list[Bidder]:
    result = []
    for index in range(count):
        jurisdiction = draw(st.sampled_from(["CA", "QC"]))
        currency = Currency.CAD if jurisdiction == "QC" and draw(st.booleans()) else Currency.USD
        result.append(Bidder(
            id=f"B{index}", name=f"Entity {index}", jurisdiction=jurisdiction, currency=currency,
            entity_type="covered_entity",
            purchase_limit=draw(st.integers(1000, 25_000)),
            holding_limit_headroom=draw(st.one_of(st.just(10**9), st.integers(0, 25_000))),
            bid_guarantee=D(draw(st.one_of(st.just(10**11), st.integers(0, 60_000_000),
                                            st.integers(0, 600).map(lambda k: k * 50_000)))) / 100,
        ))
    return result


@st.composite
def bid_lists(draw: st.DrawFn, count: int, reserve_cents: int) -> list[Bid]:
    # Few distinct prices around the reserve, so that ties and re-entries are frequent.
    price = st.integers(-2, 10).map(lambda step: max(1, reserve_cents + 150 * step))
    entries = draw(st.lists(st.tuples(st.integers(0, count - 1), price, st.integers(1, 5)),
                                   min_size=1, max_size=30))
    return [Bid(f"B{who}", D(cents) / 100, lots * 1000) for who, cents, lots in entries]


@st.composite
def offers(draw: st.DrawFn) -> dict[str, JurisdictionOffer]:
    consigned = draw(st.dictionaries(st.sampled_from(["E1", "E2", "E3"]), st.integers(0, 3000), max_size=3))
    result = {"CA": JurisdictionOffer(
        state_owned=draw(st.integers(0, 6000)), consigned=consigned,
        untimely_surrender=draw(st.integers(0, 2000)), reintroduced_state_owned=draw(st.integers(0, 2000)))}
    if draw(st.booleans()):
        result["QC"] = JurisdictionOffer(state_owned=draw(st.integers(0, 4000)))
    return result


@st.composite
def pools(draw: st.DrawFn) -> tuple[PoolAuction, int]:
    count = draw(st.integers(1, 6))
    reserve_cents = draw(st.integers(500, 3000))
    auction = PoolAuction(PoolKind.CURRENT, D(reserve_cents) / 100, draw(st.sampled_from(RATES)),
                          draw(offers()), draw(bidders(count)), draw(bid_lists(count, reserve_cents)))
    return auction, draw(st.integers(0, 2**64))


def usd_price(bid: Bid, bidder: Bidder, rate: Decimal) -> Decimal:
    if bidder.currency is Currency.USD:
        return bid.price
    with localcontext() as context:
        context.prec = 60
        return (bid.price / rate).quantize(CENT, ROUND_HALF_UP)


def guarantee_usd(bidder: Bidder, rate: Decimal) -> Decimal:
    if bidder.currency is Currency.USD:
        return bidder.bid_guarantee
    with localcontext() as context:
        context.prec = 60
        return (bidder.bid_guarantee / rate).quantize(CENT, ROUND_FLOOR)


def reference_lots(auction: PoolAuction, bidder: Bidder, guarantee: Decimal) -> list[Decimal]:
    """Steps 0-2 lot by lot: the USD prices of the bidder's accepted lots, highest first."""
    lots = sorted((usd_price(bid, bidder, auction.exchange_rate)
                   for bid in auction.bids if bid.bidder_id == bidder.id
                   for _ in range(bid.quantity // 1000)), reverse=True)
    lots = [price for price in lots if price >= auction.reserve_price]
    lots = lots[: min(bidder.purchase_limit, bidder.holding_limit_headroom) // 1000]
    levels = sorted(Counter(int(price * 100) for price in lots).items(), reverse=True)
    accepted = reference_guarantee_screen([(price, count * 1000) for price, count in levels],
                                          int(guarantee * 100))
    return [D(cents) / 100 for cents in accepted]


def reference_guarantee_screen(levels: list[tuple[int, int]], guarantee: int) -> list[int]:
    """Step 2 alone, lot by lot: each lot, highest bid first, goes to the highest price ≤ its own
    at which the bidder's whole accepted set stays within the guarantee."""
    lots = [price for price, quantity in levels for _ in range(quantity // 1000)]
    prices = sorted({price for price, _ in levels}, reverse=True)
    accepted: list[int] = []
    for bid_price in lots:
        for price in (p for p in prices if p <= bid_price):
            trial = [*accepted, price]
            if all(p * 1000 * sum(1 for a in trial if a >= p) <= guarantee for p in set(trial)):
                accepted.append(price)
                break
    return sorted(accepted, reverse=True)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(100, 5000), st.integers(1, 6).map(lambda lots: lots * 1000),
                       min_size=1, max_size=6),
       st.integers(0, 100_000_000))
def test_guarantee_screening_matches_a_lot_by_lot_reference(levels: dict[int, int], guarantee: int) -> None:
    levels_desc = sorted(levels.items(), reverse=True)
    screen = screen_guarantee(Levels([p for p, _ in levels_desc], [q for _, q in levels_desc]), guarantee)
    accepted = zip(screen.accepted.prices, screen.accepted.quantities, strict=True)
    lots = sorted((price for price, quantity in accepted for _ in range(quantity // 1000)), reverse=True)
    assert lots == reference_guarantee_screen(levels_desc, guarantee)
    assert max_bid_value_cents(screen.accepted) <= guarantee
    kept = screen.accepted.total()
    dropped = sum(quantity for _, quantity in screen.drops)
    assert kept + dropped == sum(levels.values())  # every lot is accepted somewhere or dropped
    assert all(origin > to for origin, to, _ in screen.reentries)  # re-entry only ever lower
    # Closed form (docs): accepted at or above each bid price p = min(bid at or above p, cap(p)).
    bid_at_or_above = 0
    for price, quantity in levels_desc:
        bid_at_or_above += quantity
        accepted_at_or_above = sum(q for p, q in zip(screen.accepted.prices, screen.accepted.quantities,
                                                       strict=True) if p >= price)
        assert accepted_at_or_above == min(bid_at_or_above, guarantee // (price * 1000) * 1000)


def check_against_reference(auction: PoolAuction, result: PoolResult) -> None:
    accepted = {b.id: reference_lots(auction, b, guarantee_usd(b, auction.exchange_rate)) for b in auction.bidders}
    supply = sum(offer.total() for offer in auction.offers.values())
    ranked = sorted((price for lots in accepted.values() for price in lots), reverse=True)
    filled = ranked[: -(-supply // 1000)]  # lots that get at least one allowance
    expected_price = filled[-1] if filled else None
    assert result.settlement_price_usd == expected_price
    awards = {award.bidder_id: award.quantity for award in result.awards}
    for bidder_id, lots in accepted.items():
        assert awards.get(bidder_id, 0) <= 1000 * len(lots)
        if expected_price is not None:
            above = 1000 * sum(1 for price in lots if price > expected_price)
            at = 1000 * sum(1 for price in lots if price == expected_price)
            assert above <= awards.get(bidder_id, 0) <= above + at


@settings(max_examples=200, deadline=None)
@given(pools())
def test_clearing_respects_every_invariant(case: tuple[PoolAuction, int]) -> None:
    auction, seed = case
    result = clear_pool(auction, seed)
    bidders = {bidder.id: bidder for bidder in auction.bidders}
    price = result.settlement_price_usd
    # Never more sold than offered; sold + unsold = offered.
    assert 0 <= result.total_sold <= result.total_offered
    assert result.total_sold + result.total_unsold == result.total_offered
    assert sum(award.quantity for award in result.awards) == result.total_sold
    # Never awarded below the reserve; one uniform price for everyone.
    if price is None:
        assert result.total_sold == 0
    else:
        assert price >= auction.reserve_price
    for award in result.awards:
        bidder = bidders[award.bidder_id]
        qualifying = sum(bid.quantity for bid in auction.bids if bid.bidder_id == bidder.id
                         and usd_price(bid, bidder, auction.exchange_rate) >= auction.reserve_price)
        assert award.quantity <= qualifying
        assert award.quantity <= min(bidder.purchase_limit, bidder.holding_limit_headroom)
        assert award.cost_usd == award.quantity * (price or 0)
        assert award.cost_usd <= guarantee_usd(bidder, auction.exchange_rate)
        if award.cost_cad is not None:
            assert award.cost_cad <= bidder.bid_guarantee  # CAD cost within the CAD guarantee
    check_sales_add_up(result)
    check_against_reference(auction, result)
    # Deterministic for a fixed seed.
    assert clear_pool(auction, seed) == result


def check_sales_add_up(result: PoolResult) -> None:
    assert sum(sale.sold for sale in result.jurisdictions) == result.total_sold
    for sale in result.jurisdictions:
        assert 0 <= sale.sold <= sale.offered
        assert sum(category.sold for category in sale.categories) == sale.sold
        assert all(0 <= category.sold <= category.offered for category in sale.categories)
    consigned_sold = sum(c.sold for s in result.jurisdictions for c in s.categories if c.category == "consigned")
    assert sum(consignor.sold for consignor in result.consignors) == consigned_sold
    if result.undersubscribed:
        assert result.total_sold < result.total_offered
        assert all(award.quantity == screening.accepted_quantity
                   for award, screening in zip(result.awards, result.screening, strict=True))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_joint_auction_never_spends_more_than_the_single_guarantee(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 5))
    shared = data.draw(bidders(count))
    auction = JointAuction(
        reserve_price=D("10.00"), exchange_rate=data.draw(st.sampled_from(RATES)), bidders=shared,
        current=PoolBook(data.draw(offers()), data.draw(bid_lists(count, 1000))),
        advance=PoolBook(data.draw(offers()), data.draw(bid_lists(count, 1000))),
    )
    result = clear_joint(auction, seed=data.draw(st.integers(0, 2**32)))
    current = {award.bidder_id: award for award in result.current.awards}
    advance = {award.bidder_id: award for award in result.advance.awards}
    for bidder, use in zip(shared, result.guarantees, strict=True):
        spent = (current[bidder.id].cost_usd if bidder.id in current else 0) + (
            advance[bidder.id].cost_usd if bidder.id in advance else 0)
        assert spent <= guarantee_usd(bidder, auction.exchange_rate) == use.guarantee_usd
        assert use.remaining_for_advance_usd == use.guarantee_usd - use.current_cost_usd >= 0
        won = (current[bidder.id].quantity if bidder.id in current else 0) + (
            advance[bidder.id].quantity if bidder.id in advance else 0)
        assert won <= bidder.holding_limit_headroom


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(1, 50).map(lambda lots: lots * 1000),
                       min_size=1),
       st.data())
def test_tie_split_is_pro_rata_within_one_allowance_and_replayable(tied: dict[str, int],
                                                                   data: st.DataObject) -> None:
    total = sum(tied.values())
    remaining = data.draw(st.integers(1, total - 1))  # fewer than tied: a real tie
    seed = data.draw(st.integers(0, 2**64))
    tie = split_tie(tied, remaining, 2000, seed)
    assert sum(pro + extra for _, _, pro, extra in tie.shares) == remaining
    for _, quantity, pro_rata, extra in tie.shares:
        assert pro_rata == remaining * quantity // total
        assert extra in (0, 1) and pro_rata + extra <= quantity
        if extra:
            assert remaining * quantity % total  # only a bidder rounded down gets a remainder unit
    assert tie.remainder < len(tied)
    assert split_tie(tied, remaining, 2000, seed) == tie
