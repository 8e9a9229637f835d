"""Read models. Public: the notice and the published results. Everything else is confidential
(§95914(c), §95912(f)) and goes through access.entity_viewer or a staff role check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.auction.adapters.repository import eligibility_to_json, offer_to_json, rates_to_json
from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.access import ADMIN, EO, Viewer, entity_viewer, has_any, is_administrator, require
from services.auction.application.bidding import bidder_terms
from services.auction.application.notice import load
from services.auction.application.policy import AuctionPolicy
from services.auction.domain.bidding import Bid
from services.auction.domain.clearing_input import PoolKind
from services.auction.domain.errors import (
    ApplicationNotFound,
    ExchangeRateNotSet,
    Forbidden,
    NotCleared,
    NotFound,
    NoticeOfResultsNotFound,
    ResultsNotPublished,
)
from services.auction.domain.lifecycle import Auction
from services.auction.domain.participation import Application
from services.auction.domain.reserve import JURISDICTION_CURRENCY
from shared.auth.principal import Principal


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def notice_view(auction: Auction, now: datetime, policy: AuctionPolicy) -> dict[str, Any]:
    """The published notice (§95912(c)(1)-(8)); consignors are not named."""
    available: dict[str, Any] = {}
    for pool in PoolKind:
        by_jurisdiction = {}
        for j, offer in auction.offers[pool].items():
            detail = offer_to_json(offer)
            detail["consigned"] = sum(offer.consigned.values())
            by_jurisdiction[j] = {"total": offer.total(), **detail}
        vintage = auction.current_vintage if pool is PoolKind.CURRENT else auction.advance_vintage
        available[pool.value] = {"vintage": vintage, "total": auction.total_offered(pool),
                                 "by_jurisdiction": by_jurisdiction}
    try:
        joint_reserve: str | None = str(auction.reserve_price_usd())
    except ExchangeRateNotSet:  # a joint auction's reserve is known once the exchange rate is
        joint_reserve = None
    return {
        "auction_id": auction.id,
        "jurisdictions": list(auction.jurisdictions),
        "status": auction.status.value,
        "phase": auction.phase(now, policy.tz).value,
        "auction_date": auction.auction_date.isoformat(),
        "bidding_window": {
            "opens_at": auction.opens_at.isoformat(), "closes_at": auction.closes_at.isoformat(),
            "delay_minutes": auction.delay_minutes, "rescheduled": auction.rescheduled,
        },
        "notice": {
            "application_instructions": auction.notice.application_instructions,
            "bid_submission": auction.notice.bid_submission,
            "procedures": auction.notice.procedures,
            "administrative_requirements": auction.notice.administrative_requirements,
            "annual_allowances": dict(auction.notice.annual_allowances or {}) or None,
        },
        "allowances_available": available,
        "reserve_prices": {j: {"amount": str(p), "currency": JURISDICTION_CURRENCY[j].value}
                           for j, p in auction.reserve_prices.items()},
        "auction_reserve_price_usd": joint_reserve,
        "exchange_rate_cad_per_usd": None if auction.exchange_rate is None else str(auction.exchange_rate),
        "purchase_limit_rates": rates_to_json(auction.purchase_limit_rates),
        "deadlines": {
            "linked_quantities_until": auction.linked_change_deadline.isoformat(),
            "applications_until": auction.application_deadline.isoformat(),
            "bid_guarantees_until": auction.guarantee_deadline.isoformat(),
            "payment_due_on": _iso(auction.payment_due_on),
        },
        "published_at": auction.published_at.isoformat(),
        "cancelled_at": _iso(auction.cancelled_at),
        "cancel_reason": auction.cancel_reason,
        "certified_at": _iso(auction.certified_at),
    }


async def application_view(uow: AuctionUnitOfWork, auction: Auction, application: Application,
                           viewer: Viewer) -> dict[str, Any]:
    view: dict[str, Any] = {
        "auction_id": application.auction_id,
        "entity_id": application.entity_id,
        "jurisdiction": application.jurisdiction,
        "currency": application.currency.value,
        "intends_to_bid": application.intends_to_bid,
        "status": application.status.value,
        "review_pending": application.review_pending,
        "late_change_at": _iso(application.late_change_at),
        "submitted_at": application.submitted_at.isoformat(),
        "submitted_by": application.submitted_by,
        "eligibility": eligibility_to_json(application.info),
        "eligibility_decided_at": _iso(application.eligibility_decided_at),
        "participation_decided_at": _iso(application.participation_decided_at),
        "denial_reason": application.denial_reason,
    }
    if viewer is not Viewer.EXECUTIVE_OFFICER:  # guarantee amounts: administrator and representatives only
        terms = await bidder_terms(uow, auction, application)
        view["bidding_terms"] = {
            "purchase_limits": {pool.value: terms.purchase_limits[pool] for pool in PoolKind},
            "holding_limit_headroom": terms.holding_limit_headroom,
            "bid_guarantee": None if terms.guarantee is None else {
                "amount": str(terms.guarantee.amount), "currency": terms.guarantee.currency.value},
        }
    return view


async def get_application(auction_id: str, entity_id: str, *, actor: Principal,
                          uow: AuctionUnitOfWork) -> dict[str, Any]:
    async with uow:
        auction = await load(uow, auction_id)
        application = await uow.applications.get(auction.id, entity_id)
        viewer = await entity_viewer(uow, actor, auction, entity_id,
                                     executive_officer_jurisdiction=application.jurisdiction if application else None)
        if application is None:
            raise ApplicationNotFound("no such application", entity_id=entity_id)
        return await application_view(uow, auction, application, viewer)


async def list_applications(auction_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> list[dict[str, Any]]:
    async with uow:
        auction = await load(uow, auction_id)
        if is_administrator(actor, auction):
            viewer, visible = Viewer.ADMINISTRATOR, set(auction.jurisdictions)
        elif has_any(actor, EO, auction.jurisdictions):
            viewer, visible = Viewer.EXECUTIVE_OFFICER, actor.jurisdictions_for(EO)
        else:
            raise Forbidden("applications are confidential (§95914(c))")
        applications = [a for a in await uow.applications.list_for(auction.id) if a.jurisdiction in visible]
        return [await application_view(uow, auction, a, viewer) for a in applications]


def bid_view(bid: Bid) -> dict[str, Any]:
    return {
        "bid_id": bid.id, "auction_id": bid.auction_id, "entity_id": bid.entity_id, "pool": bid.pool.value,
        "price": str(bid.price), "currency": bid.currency.value, "quantity": bid.quantity,
        "status": bid.status.value, "placed_by": bid.placed_by, "placed_at": bid.placed_at.isoformat(),
        "updated_at": _iso(bid.updated_at),
    }


async def list_bids(auction_id: str, entity_id: str | None, *, actor: Principal,
                    uow: AuctionUnitOfWork) -> list[dict[str, Any]]:
    """An entity's bids to its representatives; all bids to the auction administrator only."""
    async with uow:
        auction = await load(uow, auction_id)
        if entity_id is None:
            require(actor, ADMIN, auction.jurisdictions)
            return [bid_view(b) for b in await uow.bids.for_auction(auction.id)]
        await entity_viewer(uow, actor, auction, entity_id)
        return [bid_view(b) for b in await uow.bids.for_bidder(auction.id, entity_id)]


async def winner_notice(auction_id: str, entity_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    """§95912(i)(2): the winner's notice, to its representatives (and the auction administrator)."""
    async with uow:
        auction = await load(uow, auction_id)
        await entity_viewer(uow, actor, auction, entity_id)
        row = await uow.results.notice(auction.id, entity_id)
    if row is None:
        raise NoticeOfResultsNotFound("no notice of results for this entity", entity_id=entity_id)
    return {
        "auction_id": row["auction_id"], "entity_id": row["entity_id"], "legal_name": row["legal_name"],
        "currency": row["currency"],
        "current": {"quantity": row["current_quantity"], "settlement_price": _money(row["current_price"])},
        "advance": {"quantity": row["advance_quantity"], "settlement_price": _money(row["advance_price"])},
        "total_cost": {"amount": str(row["total_cost"]), "currency": row["currency"]},
        "destination_account": row["destination_account"],
        "payment_due_on": row["payment_due_on"].isoformat(),
        "payment_method": row["payment_method"],
        "notified_at": row["notified_at"].isoformat(),
        "settled_at": _iso(row["settled_at"]),
    }


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


async def published_results(auction_id: str, *, uow: AuctionUnitOfWork) -> dict[str, Any]:
    async with uow:
        auction = await load(uow, auction_id)
        row = await uow.results.public(auction.id)
        reports = await uow.results.serial_reports(auction.id)
    if row is None:
        raise ResultsNotPublished("the results are published after certification (§95912(i)(6))")
    return {**row["document"], "published_at": row["published_at"].isoformat(),
            "serials_reported_to_linked_systems": sum(r["quantity"] for r in reports)}


def _pool_summary(pool: dict[str, Any]) -> dict[str, Any]:
    return {"settlement_price_usd": pool.get("settlement_price_usd"),
            "settlement_price_cad": pool.get("settlement_price_cad"),
            "offered": pool.get("offered", 0), "sold": pool.get("sold", 0)}


async def results_history(*, uow: AuctionUnitOfWork, limit: int) -> list[dict[str, Any]]:
    """Public figures of every certified auction, oldest first (§95912(i)(6)(B), (C)): no names, no bids."""
    async with uow:
        rows = await uow.results.all_public(limit)
    history = [{"auction_id": row["auction_id"], "auction_date": row["document"].get("auction_date"),
                "published_at": row["published_at"].isoformat(),
                "current": _pool_summary(row["document"].get("current") or {}),
                "advance": _pool_summary(row["document"].get("advance") or {})} for row in rows]
    return sorted(history, key=lambda r: (r["auction_date"] or "", r["published_at"]))


async def clearing_summary(auction_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    """For the executive officer's review (§95912(i)(1)): prices, awards, totals; never the bids."""
    async with uow:
        auction = await load(uow, auction_id)
        if not (is_administrator(actor, auction) or has_any(actor, EO, auction.jurisdictions)):
            raise Forbidden("the clearing summary is for the executive officer and the auction administrator")
        row = await uow.clearings.get(auction.id)
    if row is None:
        raise NotCleared("the auction has not been cleared")
    result = row["result"]
    pools = {}
    for pool in PoolKind:
        r = result[pool.value]
        pools[pool.value] = {
            key: r[key] for key in ("settlement_price_usd", "settlement_price_cad", "reserve_price_usd",
                                    "undersubscribed", "total_offered", "total_sold", "total_unsold",
                                    "jurisdictions", "consignors", "awards", "tie_break")
        }
    return {"auction_id": auction.id, "status": auction.status.value, "seed": row["seed"],
            "cleared_at": row["cleared_at"].isoformat(), "cleared_by": row["cleared_by"],
            "result_sha256": row["result_sha256"], **pools}


async def entity_standing(entity_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    """What the auction service knows of an entity (registry and identity events), for staff."""
    if not (actor.has_role(ADMIN) or actor.has_role(EO)):
        raise Forbidden("for the auction administrator and the executive officer")
    async with uow:
        standing = await uow.directory.entity(entity_id)
        representatives = await uow.directory.representatives_of(entity_id)
        fsa = {r["individual_id"]: await uow.directory.fsa_information(r["individual_id"]) is not None
               for r in representatives}
    if standing is None:
        raise NotFound("the registry has not published this entity", entity_id=entity_id)
    return {
        "entity_id": standing.entity_id, "legal_name": standing.legal_name, "entity_type": standing.entity_type,
        "jurisdiction": standing.jurisdiction, "status": standing.status,
        "holding_account": standing.holding_account, "holding_account_status": standing.holding_account_status,
        "representatives": [
            {"individual_id": r["individual_id"], "role": r["role"], "account_number": r["account_number"],
             "kyc_status": r["kyc_status"], "fsa_information_given": fsa[r["individual_id"]]}
            for r in representatives
        ],
    }


async def fsa_information(individual_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    if actor.subject != individual_id and not (actor.has_role("financial_services_administrator")
                                               or actor.has_role(ADMIN)):
        raise Forbidden("for the representative, the financial services administrator and the auction administrator")
    async with uow:
        row = await uow.directory.fsa_information(individual_id)
    if row is None:
        raise NotFound("no information submitted", individual_id=individual_id)
    return {"individual_id": individual_id, "details": row["details"], "submitted_at": row["submitted_at"].isoformat()}
