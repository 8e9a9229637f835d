"""What follows certification (§95912(i)): winners' awards and the public results.

Everything is derived from the stored, rendered clearing result (the JSON the engine's renderer
produced), so what was certified is exactly what was cleared and stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.auction.domain.bidding import entity_category
from services.auction.domain.clearing_input import Currency, PoolKind

JsonObject = dict[str, Any]
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class WinnerAward:
    """One winner's notice (§95912(i)(2)): prices and cost in the bidder's currency."""

    entity_id: str
    name: str
    jurisdiction: str
    currency: Currency
    current_quantity: int
    advance_quantity: int
    current_price: Decimal | None
    advance_price: Decimal | None
    total_cost: Decimal
    total_cost_usd: Decimal


@dataclass(frozen=True)
class ConsignorProceeds:
    entity_id: str
    quantity: int
    proceeds_usd: Decimal


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _price(pool: Mapping[str, Any], currency: Currency) -> Decimal | None:
    return _decimal(pool["settlement_price_cad" if currency is Currency.CAD else "settlement_price_usd"])


def winner_awards(result: Mapping[str, Any]) -> list[WinnerAward]:
    """Awards with a positive quantity in either pool; cost = Σ pools (each converted by the engine)."""
    rows: dict[str, dict[PoolKind, Mapping[str, Any]]] = {}
    for kind in PoolKind:
        for award in result[kind.value]["awards"]:
            if award["quantity"] > 0:
                rows.setdefault(award["bidder"], {})[kind] = award
    awards: list[WinnerAward] = []
    for entity_id in sorted(rows):
        pools = rows[entity_id]
        first = next(iter(pools.values()))
        currency = Currency(first["currency"])
        cost_key = "cost_cad" if currency is Currency.CAD else "cost_usd"
        awards.append(WinnerAward(
            entity_id=entity_id,
            name=first["name"],
            jurisdiction=first["jurisdiction"],
            currency=currency,
            current_quantity=pools[PoolKind.CURRENT]["quantity"] if PoolKind.CURRENT in pools else 0,
            advance_quantity=pools[PoolKind.ADVANCE]["quantity"] if PoolKind.ADVANCE in pools else 0,
            current_price=_price(result["current"], currency) if PoolKind.CURRENT in pools else None,
            advance_price=_price(result["advance"], currency) if PoolKind.ADVANCE in pools else None,
            total_cost=sum((Decimal(a[cost_key]) for a in pools.values()), ZERO),
            total_cost_usd=sum((Decimal(a["cost_usd"]) for a in pools.values()), ZERO),
        ))
    return awards


def consignor_proceeds(result: Mapping[str, Any]) -> list[ConsignorProceeds]:
    """§95912(i)(3)(D): consignors receive the proceeds of their allowances sold."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for kind in PoolKind:
        for entity_id, sale in result[kind.value]["consignors"].items():
            quantity, proceeds = totals.get(entity_id, (0, ZERO))
            totals[entity_id] = (quantity + sale["sold"], proceeds + Decimal(sale["value_sold_usd"]))
    return [ConsignorProceeds(e, q, p) for e, (q, p) in sorted(totals.items()) if q > 0]


def sold_by_pool(result: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    return {kind.value: {j: sale["sold"] for j, sale in sorted(result[kind.value]["jurisdictions"].items())}
            for kind in PoolKind}


def _percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0.00"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def public_results(result: Mapping[str, Any], bidder_names: list[str], entity_types: Mapping[str, str],
                   *, auction_id: str, auction_date: str) -> JsonObject:
    """§95912(i)(6): bidder names, settlement prices, and distribution without entity names."""
    pools: JsonObject = {}
    for kind in PoolKind:
        pool = result[kind.value]
        offered, sold = pool["total_offered"], pool["total_sold"]
        qualified = sum(screening["accepted_quantity"] for screening in pool["screening"])
        by_category: dict[str, int] = {}
        for award in pool["awards"]:
            category = entity_category(entity_types.get(award["bidder"], "other"))
            by_category[category] = by_category.get(category, 0) + award["quantity"]
        shares = [award["quantity"] for award in pool["awards"] if award["quantity"] > 0]
        hhi = round(sum((Decimal(q) * 100 / sold) ** 2 for q in shares)) if sold else 0
        pools[kind.value] = {
            "settlement_price_usd": pool["settlement_price_usd"],
            "settlement_price_cad": pool["settlement_price_cad"],
            "reserve_price_usd": pool["reserve_price_usd"],
            "offered": offered,
            "sold": sold,
            "unsold": offered - sold,
            "sold_by_jurisdiction": {j: s["sold"] for j, s in sorted(pool["jurisdictions"].items())},
            "qualified_bid_quantity": qualified,
            "bid_to_cover_ratio": None if offered == 0 else str(
                (Decimal(qualified) / Decimal(offered)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
            "percent_purchased_by_category": {c: _percent(q, sold) for c, q in sorted(by_category.items())},
            "herfindahl_hirschman_index": int(hhi),
        }
    return {
        "auction_id": auction_id,
        "auction_date": auction_date,
        "exchange_rate_cad_per_usd": result["current"]["exchange_rate_cad_per_usd"],
        "bidders": sorted(bidder_names),
        "current": pools["current"],
        "advance": pools["advance"],
    }
