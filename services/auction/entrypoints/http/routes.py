"""The auction API (docs/auction.md). Routes translate HTTP to commands; rules live below them.

Public: the notices and the published results. Everything else needs a token; bids need a
fresh one-time code (step-up), as do clearing and certification.
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application import bidding, clearing, notice, participation, queries, results
from services.auction.application.policy import AuctionPolicy
from services.auction.domain.clearing_input import Currency, PoolKind
from services.auction.entrypoints.http.schemas import (
    AmendApplicationBody,
    ApplicationBody,
    BidBody,
    CertificationBody,
    ChangeBidBody,
    DecisionBody,
    DelayBody,
    ExchangeRateBody,
    FsaInformationBody,
    OfferBody,
    PublishNoticeBody,
    ReasonBody,
    RescheduleBody,
)
from shared.auth.dependencies import current_principal, require_role, require_step_up
from shared.auth.principal import Principal
from shared.clock import Clock

router = APIRouter(prefix="/v1", tags=["auction"])
_admin = require_role("auction_administrator")
_eo = require_role("executive_officer")
_step_up = require_step_up()


def _deps(request: Request) -> tuple[AuctionUnitOfWork, Clock, AuctionPolicy]:
    runtime = request.app.state.runtime
    return cast(AuctionUnitOfWork, runtime.uow()), runtime.clock, request.app.state.policy


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _registry_headroom(request: Request, auction_id: str, *, entity_id: str | None = None,
                             bid_id: str | None = None) -> int | None:
    return await bidding.registry_headroom(auction_id, entity_id=entity_id, bid_id=bid_id, uow=_deps(request)[0],
                                           holding_limits=request.app.state.holding_limits, bearer=_bearer(request))


def _created(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(status_code=201, content=body)


async def _notice(request: Request, auction_id: str) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    async with uow:
        auction = await notice.load(uow, auction_id)
    return queries.notice_view(auction, clock.now(), policy)


# ---- the notice and the window (§95912(c), (j)) ---------------------------------------------------

@router.get("/auctions")
async def list_auctions(request: Request) -> list[dict[str, Any]]:
    uow, clock, policy = _deps(request)
    async with uow:
        auctions = await uow.auctions.list()
    return [queries.notice_view(a, clock.now(), policy) for a in auctions]


@router.get("/auctions/{auction_id}")
async def get_auction(auction_id: str, request: Request) -> dict[str, Any]:
    return await _notice(request, auction_id)


@router.post("/auctions", status_code=201)
async def publish_notice(body: PublishNoticeBody, request: Request,
                         actor: Principal = Depends(_admin)) -> JSONResponse:
    uow, clock, policy = _deps(request)
    cmd = notice.PublishNotice(jurisdictions=tuple(body.jurisdictions), opens_at=body.bidding_opens_at,
                               closes_at=body.bidding_closes_at, notice=body.notice(),
                               offers=body.offers.to_domain(), purchase_limit_rates=body.rates())
    auction = await notice.publish_notice(cmd, actor=actor, uow=uow, clock=clock, policy=policy)
    return _created(queries.notice_view(auction, clock.now(), policy))


@router.put("/auctions/{auction_id}/offers/{pool}/{jurisdiction}")
async def amend_offer(auction_id: str, pool: PoolKind, jurisdiction: str, body: OfferBody, request: Request,
                      actor: Principal = Depends(_admin)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    cmd = notice.AmendOffer(auction_id, pool, jurisdiction, body.to_domain())
    auction = await notice.amend_offer(cmd, actor=actor, uow=uow, clock=clock, policy=policy)
    return queries.notice_view(auction, clock.now(), policy)


@router.put("/auctions/{auction_id}/exchange-rate")
async def set_exchange_rate(auction_id: str, body: ExchangeRateBody, request: Request,
                            actor: Principal = Depends(_admin)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    auction = await notice.set_exchange_rate(auction_id, body.cad_per_usd, actor=actor, uow=uow, clock=clock)
    return queries.notice_view(auction, clock.now(), policy)


@router.post("/auctions/{auction_id}/bidding-window/delay")
async def delay_window(auction_id: str, body: DelayBody, request: Request,
                       actor: Principal = Depends(_eo)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    auction = await notice.delay_window(auction_id, body.minutes, body.reason, actor=actor, uow=uow, clock=clock)
    return queries.notice_view(auction, clock.now(), policy)


@router.post("/auctions/{auction_id}/bidding-window/reschedule")
async def reschedule_window(auction_id: str, body: RescheduleBody, request: Request,
                            actor: Principal = Depends(_eo)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    auction = await notice.reschedule_window(auction_id, body.bidding_opens_at, body.bidding_closes_at,
                                             body.reason, actor=actor, uow=uow, clock=clock, policy=policy)
    return queries.notice_view(auction, clock.now(), policy)


@router.post("/auctions/{auction_id}/cancellation")
async def cancel_auction(auction_id: str, body: ReasonBody, request: Request,
                         actor: Principal = Depends(_eo)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    auction = await notice.cancel_auction(auction_id, body.reason, actor=actor, uow=uow, clock=clock)
    return queries.notice_view(auction, clock.now(), policy)


# ---- applications (§95912(d)-(e)) --------------------------------------------------------------

@router.post("/auctions/{auction_id}/applications", status_code=201)
async def submit_application(auction_id: str, body: ApplicationBody, request: Request,
                             actor: Principal = Depends(current_principal)) -> JSONResponse:
    uow, clock, policy = _deps(request)
    cmd = participation.SubmitApplication(auction_id, body.entity_id, Currency(body.currency), body.intends_to_bid,
                                          body.eligibility.to_domain())
    await participation.submit_application(cmd, actor=actor, uow=uow, clock=clock, policy=policy)
    return _created(await queries.get_application(auction_id, body.entity_id, actor=actor, uow=_deps(request)[0]))


@router.get("/auctions/{auction_id}/applications")
async def list_applications(auction_id: str, request: Request,
                            actor: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return await queries.list_applications(auction_id, actor=actor, uow=_deps(request)[0])


@router.get("/auctions/{auction_id}/applications/{entity_id}")
async def get_application(auction_id: str, entity_id: str, request: Request,
                          actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await queries.get_application(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.patch("/auctions/{auction_id}/applications/{entity_id}")
async def amend_application(auction_id: str, entity_id: str, body: AmendApplicationBody, request: Request,
                            actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    cmd = participation.AmendApplication(auction_id, entity_id,
                                         body.eligibility.to_domain() if body.eligibility else None,
                                         body.intends_to_bid)
    await participation.amend_application(cmd, actor=actor, uow=uow, clock=clock, policy=policy)
    return await queries.get_application(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.post("/auctions/{auction_id}/applications/{entity_id}/eligibility")
async def decide_eligibility(auction_id: str, entity_id: str, body: DecisionBody, request: Request,
                             actor: Principal = Depends(_eo)) -> dict[str, Any]:
    uow, clock, _ = _deps(request)
    cmd = participation.Decide(auction_id, entity_id, body.decision == "approve", body.reason)
    await participation.decide_eligibility(cmd, actor=actor, uow=uow, clock=clock)
    return await queries.get_application(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.post("/auctions/{auction_id}/applications/{entity_id}/participation")
async def decide_participation(auction_id: str, entity_id: str, body: DecisionBody, request: Request,
                               actor: Principal = Depends(_eo)) -> dict[str, Any]:
    uow, clock, _ = _deps(request)
    cmd = participation.Decide(auction_id, entity_id, body.decision == "approve", body.reason)
    await participation.decide_participation(cmd, actor=actor, uow=uow, clock=clock)
    return await queries.get_application(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.put("/representatives/me/fsa-information")
async def submit_fsa_information(body: FsaInformationBody, request: Request,
                                 actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    uow, clock, _ = _deps(request)
    await participation.submit_fsa_information(body.model_dump(), actor=actor, uow=uow, clock=clock)
    return await queries.fsa_information(actor.subject, actor=actor, uow=_deps(request)[0])


@router.get("/representatives/{individual_id}/fsa-information")
async def get_fsa_information(individual_id: str, request: Request,
                              actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await queries.fsa_information(individual_id, actor=actor, uow=_deps(request)[0])


@router.get("/entities/{entity_id}/standing")
async def entity_standing(entity_id: str, request: Request,
                          actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await queries.entity_standing(entity_id, actor=actor, uow=_deps(request)[0])


# ---- bids (§95911, §95912(g)-(h)) ---------------------------------------------------------------

@router.post("/auctions/{auction_id}/bids", status_code=201)
async def place_bid(auction_id: str, body: BidBody, request: Request,
                    actor: Principal = Depends(_step_up)) -> JSONResponse:
    uow, clock, policy = _deps(request)
    cmd = bidding.PlaceBid(auction_id, body.entity_id, PoolKind(body.pool), body.price, Currency(body.currency),
                           body.quantity, await _registry_headroom(request, auction_id, entity_id=body.entity_id))
    bid = await bidding.place_bid(cmd, actor=actor, uow=uow, clock=clock, policy=policy)
    return _created(queries.bid_view(bid))


@router.get("/auctions/{auction_id}/bids")
async def list_bids(auction_id: str, request: Request, entity_id: str | None = None,
                    actor: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return await queries.list_bids(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.put("/auctions/{auction_id}/bids/{bid_id}")
async def change_bid(auction_id: str, bid_id: str, body: ChangeBidBody, request: Request,
                     actor: Principal = Depends(_step_up)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    registry = await _registry_headroom(request, auction_id, bid_id=bid_id)
    bid = await bidding.change_bid(bidding.ChangeBid(auction_id, bid_id, body.price, body.quantity, registry),
                                   actor=actor, uow=uow, clock=clock, policy=policy)
    return queries.bid_view(bid)


@router.delete("/auctions/{auction_id}/bids/{bid_id}")
async def withdraw_bid(auction_id: str, bid_id: str, request: Request,
                       actor: Principal = Depends(_step_up)) -> dict[str, Any]:
    uow, clock, _ = _deps(request)
    bid = await bidding.withdraw_bid(auction_id, bid_id, actor=actor, uow=uow, clock=clock)
    return queries.bid_view(bid)


# ---- clearing and results (§95912(i)) -----------------------------------------------------------

def _clearing_view(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "cleared_at": record["cleared_at"].isoformat()}


@router.post("/auctions/{auction_id}/clearing", status_code=201)
async def clear_auction(auction_id: str, request: Request, actor: Principal = Depends(_step_up)) -> JSONResponse:
    uow, clock, _ = _deps(request)
    record = await clearing.clear_auction(auction_id, actor=actor, uow=uow, clock=clock)
    return _created(_clearing_view(record))


@router.get("/auctions/{auction_id}/clearing")
async def get_clearing(auction_id: str, request: Request,
                       actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return _clearing_view(await clearing.clearing_record(auction_id, actor=actor, uow=_deps(request)[0]))


@router.post("/auctions/{auction_id}/clearing/replay")
async def replay_clearing(auction_id: str, request: Request,
                          actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await clearing.replay_clearing(auction_id, actor=actor, uow=_deps(request)[0])


@router.get("/auctions/{auction_id}/clearing/summary")
async def clearing_summary(auction_id: str, request: Request,
                           actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await queries.clearing_summary(auction_id, actor=actor, uow=_deps(request)[0])


@router.post("/auctions/{auction_id}/certification")
async def certify(auction_id: str, body: CertificationBody, request: Request,
                  actor: Principal = Depends(_step_up)) -> dict[str, Any]:
    uow, clock, policy = _deps(request)
    auction = await results.certify(auction_id, meets_requirements=body.meets_requirements, note=body.note,
                                    actor=actor, uow=uow, clock=clock, policy=policy)
    return queries.notice_view(auction, clock.now(), policy)


@router.get("/auctions/{auction_id}/notices/{entity_id}")
async def winner_notice(auction_id: str, entity_id: str, request: Request,
                        actor: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await queries.winner_notice(auction_id, entity_id, actor=actor, uow=_deps(request)[0])


@router.get("/results")
async def results_history(request: Request, limit: int = Query(40, ge=1, le=200)) -> list[dict[str, Any]]:
    """Public: settlement prices and quantities offered and sold of the certified auctions, oldest first."""
    return await queries.results_history(uow=_deps(request)[0], limit=limit)


@router.get("/auctions/{auction_id}/results")
async def published_results(auction_id: str, request: Request) -> dict[str, Any]:
    return await queries.published_results(auction_id, uow=_deps(request)[0])
