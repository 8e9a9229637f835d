"""Results -> JSON-ready dicts. Every Decimal becomes a string ("20.00"); quantities stay integers."""

from __future__ import annotations

from decimal import Decimal

from services.auction.domain.clearing_result import (
    JointResult,
    PoolResult,
    PriceQuantity,
    Screening,
    TieBreak,
)

JsonObject = dict[str, object]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def render_pool(result: PoolResult, *, seed_generated: bool = False) -> JsonObject:
    return {
        "kind": result.kind.value,
        "seed": result.seed,
        "seed_source": "generated" if seed_generated else "input",
        "reserve_price_usd": _money(result.reserve_price_usd),
        "exchange_rate_cad_per_usd": str(result.exchange_rate),
        "settlement_price_usd": _money(result.settlement_price_usd),
        "settlement_price_cad": _money(result.settlement_price_cad),
        "undersubscribed": result.undersubscribed,
        "total_offered": result.total_offered,
        "total_sold": result.total_sold,
        "total_unsold": result.total_unsold,
        "jurisdictions": _jurisdictions(result),
        "consignors": _consignors(result),
        "awards": _awards(result),
        "screening": [_screening(screening) for screening in result.screening],
        "tie_break": None if result.tie_break is None else _tie_break(result.tie_break),
    }


def _jurisdictions(result: PoolResult) -> JsonObject:
    return {
        sale.jurisdiction: {
            "offered": sale.offered,
            "sold": sale.sold,
            "unsold": sale.offered - sale.sold,
            "categories": {
                category.category.value: {
                    "offered": category.offered,
                    "sold": category.sold,
                    "unsold": category.offered - category.sold,
                }
                for category in sale.categories
            },
        }
        for sale in result.jurisdictions
    }


def _consignors(result: PoolResult) -> JsonObject:
    return {
        sale.entity_id: {
            "jurisdiction": sale.jurisdiction,
            "offered": sale.offered,
            "sold": sale.sold,
            "unsold": sale.offered - sale.sold,
            "value_sold_usd": _money(sale.value_sold_usd),
        }
        for sale in result.consignors
    }


def _awards(result: PoolResult) -> list[JsonObject]:
    return [
        {
            "bidder": award.bidder_id,
            "name": award.name,
            "jurisdiction": award.jurisdiction,
            "currency": award.currency.value,
            "quantity": award.quantity,
            "cost_usd": _money(award.cost_usd),
            "cost_cad": _money(award.cost_cad),
        }
        for award in result.awards
    ]


def _price_quantities(items: tuple[PriceQuantity, ...]) -> list[JsonObject]:
    return [{"price_usd": _money(item.price_usd), "quantity": item.quantity} for item in items]


def _screening(screening: Screening) -> JsonObject:
    return {
        "bidder": screening.bidder_id,
        "below_reserve": screening.below_reserve,
        "limit": {
            "effective_limit": screening.effective_limit,
            "reason": screening.limit_reason,
            "cut": _price_quantities(screening.limit_cuts),
        },
        "guarantee": {
            "guarantee_usd": _money(screening.guarantee_usd),
            "max_bid_value_usd": _money(screening.max_bid_value_usd),
            "reentered": [
                {
                    "from_price_usd": _money(item.from_price_usd),
                    "to_price_usd": _money(item.to_price_usd),
                    "quantity": item.quantity,
                }
                for item in screening.guarantee_reentries
            ],
            "dropped": _price_quantities(screening.guarantee_drops),
        },
        "accepted_quantity": screening.accepted_quantity,
    }


def _tie_break(tie: TieBreak) -> JsonObject:
    return {
        "price_usd": _money(tie.price_usd),
        "remaining_supply": tie.remaining_supply,
        "tied_quantity": tie.tied_quantity,
        "remainder": tie.remainder,
        "draw_order": list(tie.draw_order),
        "shares": [
            {
                "bidder": share.bidder_id,
                "tied_quantity": share.tied_quantity,
                "pro_rata": share.pro_rata_quantity,
                "remainder": share.remainder_quantity,
            }
            for share in tie.shares
        ],
    }


def render_joint(result: JointResult, *, seed_generated: bool = False) -> JsonObject:
    return {
        "seed": result.seed,
        "seed_source": "generated" if seed_generated else "input",
        "current": render_pool(result.current, seed_generated=seed_generated),
        "advance": render_pool(result.advance, seed_generated=seed_generated),
        "guarantees": [
            {
                "bidder": use.bidder_id,
                "currency": use.currency.value,
                "guarantee": _money(use.guarantee),
                "guarantee_usd": _money(use.guarantee_usd),
                "current_cost_usd": _money(use.current_cost_usd),
                "remaining_for_advance_usd": _money(use.remaining_for_advance_usd),
                "advance_cost_usd": _money(use.advance_cost_usd),
            }
            for use in result.guarantees
        ],
    }
