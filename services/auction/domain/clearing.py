"""The auction clearing engine: a pure function from bids and supply to awards (§95911, §95912).

    clear_pool(PoolAuction, seed) -> PoolResult       one pool, Current or Advance
    clear_joint(JointAuction, seed) -> JointResult    Current, then Advance with what is left
                                                      of each bid guarantee (§95912(h)(10))

The rules, in order (docs/auction-clearing.md has the full statement and a worked example):

0. validation: prices in whole cents, quantities in lots of 1,000 (§95911(b)); CAD only for
   Québec bidders (§95912(h)(2)); CAD prices converted to USD cents, rounded half up; bids
   below the Auction Reserve Price are not qualifying (§95911(c));
1. limits: a bidder's lots above min(purchase limit, holding-limit headroom) are dropped,
   lowest price first (§95911(d), §95920; §95911(e)(3));
2. bid guarantee: lots that push the maximum bid value over the guarantee are cut and re-enter
   at the highest lower price where they fit (§95912(h)(5), §95911(e)(3));
3. ranking: bids filled from the highest price down; one settlement price, the price of the
   lowest bid filled (§95911(a), uniform price);
4. ties at the settlement price: pro rata, rounded down, remainder by a seeded random draw;
5. the sold quantity split between jurisdictions by largest remainder, and within California
   consigned first, then untimely-surrender, re-introduced state-owned, new state-owned.

Standard library only, no I/O: the seed is an argument (the caller draws one when the input
has none) and the result records it, so any result can be replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from services.auction.domain.clearing_allocation import Fill, TieOutcome, fill
from services.auction.domain.clearing_books import BidBook, Levels, build_books
from services.auction.domain.clearing_errors import InvalidClearingInput, UnknownBidder
from services.auction.domain.clearing_input import (
    CALIFORNIA,
    Bidder,
    Currency,
    JointAuction,
    PoolAuction,
    PoolBook,
    PoolKind,
    SaleCategory,
)
from services.auction.domain.clearing_money import (
    cad_to_usd_cents_floor,
    from_cents,
    price_from_cents,
    to_cents,
    usd_to_cad_cents,
)
from services.auction.domain.clearing_result import (
    Award,
    CategorySale,
    ConsignorSale,
    GuaranteeReentry,
    GuaranteeUse,
    JointResult,
    JurisdictionSale,
    PoolResult,
    PriceQuantity,
    Screening,
    TieBreak,
    TieShare,
)
from services.auction.domain.clearing_screening import (
    max_bid_value_cents,
    screen_guarantee,
    screen_limits,
)
from services.auction.domain.clearing_split import JurisdictionSplit, split_sold
from services.auction.domain.clearing_validation import (
    check_exchange_rate,
    check_offers,
    check_price,
    check_quantity,
    index_bidders,
)

MAX_SEED = 2**128


def clear_pool(auction: PoolAuction, seed: int) -> PoolResult:
    """Clear one pool. Raises a ClearingError subclass (stable `code`) on invalid input."""
    return _clear(auction, seed, guarantees_usd_cents=None, prefix="")


def clear_joint(auction: JointAuction, seed: int) -> JointResult:
    """Clear the Current Auction, then the Advance Auction (§95911(a); §95912(h)(10)).

    Each bidder's single guarantee (§95912(h)(5)(C)) screens its Current bids; what remains,
    guarantee − (Current award × Current settlement price), screens its Advance bids. Its
    holding-limit headroom is likewise reduced by its Current award, since both awards land in
    its holding account. Both pools draw their tie-break from random.Random(seed).
    """
    check_exchange_rate(auction.exchange_rate, "exchange_rate")
    bidders = index_bidders(auction.bidders)
    guarantees = {bidder_id: guarantee_usd_cents(bidder, auction.exchange_rate)
                  for bidder_id, bidder in bidders.items()}
    current = _joint_pool(auction, PoolKind.CURRENT, auction.current, list(bidders.values()))
    current_result = _clear(current, seed, guarantees, prefix="current.")
    won = {award.bidder_id: award for award in current_result.awards}
    remaining = {bidder_id: guarantee - (to_cents(won[bidder_id].cost_usd) if bidder_id in won else 0)
                 for bidder_id, guarantee in guarantees.items()}
    advance_bidders = [
        replace(bidder, holding_limit_headroom=max(
            0, bidder.holding_limit_headroom - (won[bidder.id].quantity if bidder.id in won else 0)))
        for bidder in bidders.values()
    ]
    advance = _joint_pool(auction, PoolKind.ADVANCE, auction.advance, advance_bidders)
    advance_result = _clear(advance, seed, remaining, prefix="advance.")
    return JointResult(seed, current_result, advance_result,
                       _guarantee_uses(bidders, guarantees, remaining, advance_result))


def guarantee_usd_cents(bidder: Bidder, cad_per_usd: Decimal) -> int:
    """The bid guarantee in USD cents; a CAD guarantee is converted and rounded DOWN to the cent."""
    cents = to_cents(bidder.bid_guarantee)
    if bidder.currency is Currency.CAD:
        return cad_to_usd_cents_floor(cents, cad_per_usd)
    return cents


def _joint_pool(auction: JointAuction, kind: PoolKind, book: PoolBook, bidders: list[Bidder]) -> PoolAuction:
    known = {bidder.id for bidder in bidders}
    for bidder_id, limit in book.purchase_limits.items():
        if bidder_id not in known:
            raise UnknownBidder(f"{kind}.purchase_limits names unknown bidder {bidder_id!r}")
        check_quantity(limit, f"{kind}.purchase_limits.{bidder_id}")
    with_limits = [replace(bidder, purchase_limit=book.purchase_limits.get(bidder.id, bidder.purchase_limit))
                   for bidder in bidders]
    return PoolAuction(kind, auction.reserve_price, auction.exchange_rate, book.offers, with_limits,
                       book.bids)


def _guarantee_uses(bidders: Mapping[str, Bidder], guarantees: Mapping[str, int],
                    remaining: Mapping[str, int], advance: PoolResult) -> tuple[GuaranteeUse, ...]:
    advance_cost = {award.bidder_id: award.cost_usd for award in advance.awards}
    return tuple(
        GuaranteeUse(
            bidder_id=bidder_id,
            currency=bidder.currency,
            guarantee=from_cents(to_cents(bidder.bid_guarantee)),
            guarantee_usd=from_cents(guarantees[bidder_id]),
            current_cost_usd=from_cents(guarantees[bidder_id] - remaining[bidder_id]),
            remaining_for_advance_usd=from_cents(remaining[bidder_id]),
            advance_cost_usd=advance_cost.get(bidder_id, from_cents(0)),
        )
        for bidder_id, bidder in sorted(bidders.items())
    )


def _check_terms(auction: PoolAuction, seed: int) -> int:
    """Validate kind, seed, rate and reserve; return the reserve in USD cents."""
    if type(seed) is not int or not 0 <= seed < MAX_SEED:
        raise InvalidClearingInput(f"seed must be an integer from 0 to 2**128 - 1, got {seed!r}")
    if not isinstance(auction.kind, PoolKind):
        raise InvalidClearingInput(f"kind must be 'current' or 'advance', got {auction.kind!r}")
    check_exchange_rate(auction.exchange_rate, "exchange_rate")
    return to_cents(check_price(auction.reserve_price, "reserve_price"))


def _clear(auction: PoolAuction, seed: int, guarantees_usd_cents: Mapping[str, int] | None,
           prefix: str) -> PoolResult:
    reserve_cents = _check_terms(auction, seed)
    bidders = index_bidders(auction.bidders)
    supply = check_offers(auction.offers, prefix)
    books = build_books(auction.bids, bidders, reserve_cents, auction.exchange_rate, prefix)
    screenings: list[Screening] = []
    accepted: dict[str, Levels] = {}
    for bidder_id in sorted(books):
        bidder = bidders[bidder_id]
        guarantee = (guarantees_usd_cents[bidder_id] if guarantees_usd_cents is not None
                     else guarantee_usd_cents(bidder, auction.exchange_rate))
        screening, accepted[bidder_id] = _screen(bidder, books[bidder_id], guarantee)
        screenings.append(screening)
    filled = fill(accepted, supply, seed)
    return _pool_result(auction, seed, supply, filled, bidders, tuple(screenings))


def _screen(bidder: Bidder, book: BidBook, guarantee_cents: int) -> tuple[Screening, Levels]:
    """Steps 1 then 2 for one bidder (§95911(e)(3))."""
    limits = screen_limits(book.levels, bidder)
    max_value = max_bid_value_cents(limits.kept)
    guarantee = screen_guarantee(limits.kept, guarantee_cents, max_value)
    screening = Screening(
        bidder_id=bidder.id,
        below_reserve=book.below_reserve,
        effective_limit=limits.effective_limit,
        limit_reason=limits.reason,
        limit_cuts=_price_quantities(limits.cuts),
        guarantee_usd=from_cents(guarantee_cents),
        max_bid_value_usd=from_cents(max_value),
        guarantee_reentries=tuple(GuaranteeReentry(price_from_cents(origin), price_from_cents(to), quantity)
                                  for origin, to, quantity in guarantee.reentries),
        guarantee_drops=_price_quantities(guarantee.drops),
        accepted_quantity=guarantee.accepted.total(),
    )
    return screening, guarantee.accepted


def _price_quantities(pairs: list[tuple[int, int]]) -> tuple[PriceQuantity, ...]:
    if not pairs:
        return ()
    return tuple(PriceQuantity(price_from_cents(price), quantity) for price, quantity in pairs)


def _pool_result(auction: PoolAuction, seed: int, supply: int, filled: Fill,
                 bidders: Mapping[str, Bidder], screenings: tuple[Screening, ...]) -> PoolResult:
    price = filled.settlement_cents
    rate = auction.exchange_rate
    splits = split_sold(filled.sold, auction.offers)
    return PoolResult(
        kind=auction.kind,
        seed=seed,
        reserve_price_usd=from_cents(to_cents(auction.reserve_price)),
        exchange_rate=rate,
        settlement_price_usd=None if price is None else from_cents(price),
        settlement_price_cad=None if price is None else from_cents(usd_to_cad_cents(price, rate)),
        undersubscribed=filled.demand < supply,
        total_offered=supply,
        total_sold=filled.sold,
        jurisdictions=_jurisdiction_sales(auction, splits),
        consignors=_consignor_sales(auction, splits, price or 0),
        awards=_awards(filled, bidders, rate),
        screening=screenings,
        tie_break=None if filled.tie is None else _tie_break(filled.tie),
    )


def _awards(filled: Fill, bidders: Mapping[str, Bidder], cad_per_usd: Decimal) -> tuple[Award, ...]:
    """Cost = quantity × settlement price; a CAD bidder's cost is that USD cost converted (half up)."""
    price = filled.settlement_cents or 0
    awards: list[Award] = []
    for bidder_id in sorted(filled.awards):
        bidder = bidders[bidder_id]
        quantity = filled.awards[bidder_id]
        cost = quantity * price
        cost_cad = None
        if bidder.currency is Currency.CAD:
            cost_cad = from_cents(usd_to_cad_cents(cost, cad_per_usd))
        awards.append(Award(bidder_id, bidder.name, bidder.jurisdiction, bidder.currency,
                            quantity, from_cents(cost), cost_cad))
    return tuple(awards)


def _jurisdiction_sales(auction: PoolAuction, splits: Mapping[str, JurisdictionSplit]
                        ) -> tuple[JurisdictionSale, ...]:
    sales: list[JurisdictionSale] = []
    for code in sorted(splits):
        offer = auction.offers[code]
        categories = tuple(SaleCategory) if code == CALIFORNIA else (SaleCategory.STATE_OWNED,)
        sales.append(JurisdictionSale(
            jurisdiction=code,
            offered=offer.total(),
            sold=splits[code].sold,
            categories=tuple(CategorySale(category, offer.category_quantity(category),
                                          splits[code].by_category[category]) for category in categories),
        ))
    return tuple(sales)


def _consignor_sales(auction: PoolAuction, splits: Mapping[str, JurisdictionSplit],
                     price_cents: int) -> tuple[ConsignorSale, ...]:
    """Sold per consignor and its value at the settlement price (§95912(i)(3)(D))."""
    sales = [
        ConsignorSale(entity_id, code, offered, sold, from_cents(sold * price_cents))
        for code, split in splits.items()
        for entity_id, offered in auction.offers[code].consigned.items()
        for sold in (split.by_consignor[entity_id],)
    ]
    return tuple(sorted(sales, key=lambda sale: (sale.entity_id, sale.jurisdiction)))


def _tie_break(tie: TieOutcome) -> TieBreak:
    return TieBreak(
        price_usd=from_cents(tie.price_cents),
        remaining_supply=tie.remaining_supply,
        tied_quantity=tie.tied_quantity,
        remainder=tie.remainder,
        draw_order=tie.draw_order,
        shares=tuple(TieShare(*share) for share in tie.shares),
    )
