"""Placing, changing and withdrawing bids while the bidding window is open (§95911, §95912(g)-(h))."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.notice import load
from services.auction.application.policy import AuctionPolicy
from services.auction.application.ports import HoldingLimits
from services.auction.domain.bidding import Bid, BidderTerms, BidStatus, check_book, purchase_limit
from services.auction.domain.clearing_input import Currency, PoolKind
from services.auction.domain.errors import (
    BidderNotApproved,
    BidNotFound,
    ChangeReviewPending,
    EntityNotRegistered,
    ExchangeRateNotSet,
)
from services.auction.domain.lifecycle import Auction
from services.auction.domain.participation import Application, ApplicationStatus
from shared.auth.principal import Principal
from shared.clock import Clock


@dataclass(frozen=True)
class PlaceBid:
    auction_id: str
    entity_id: str
    pool: PoolKind
    price: Decimal
    currency: Currency
    quantity: int
    registry_headroom: int | None = None  # from the registry's API, fetched before the transaction


@dataclass(frozen=True)
class ChangeBid:
    auction_id: str
    bid_id: str
    price: Decimal
    quantity: int
    registry_headroom: int | None = None


async def registry_headroom(auction_id: str, *, entity_id: str | None = None, bid_id: str | None = None,
                            uow: AuctionUnitOfWork, holding_limits: HoldingLimits, bearer: str | None) -> int | None:
    """The registry's headroom for the bidder (§95920), asked with the bidder's own token, outside
    any transaction. The registry itself decides whether the caller may see it."""
    async with uow:
        auction = await uow.auctions.get(auction_id)
        if bid_id is not None:
            bid = await uow.bids.get(bid_id)
            entity_id = bid.entity_id if bid is not None and bid.auction_id == auction_id else None
    if auction is None or entity_id is None:
        return None
    return await holding_limits.headroom(entity_id, auction.current_vintage, bearer)


async def bidder_terms(uow: AuctionUnitOfWork, auction: Auction, application: Application) -> BidderTerms:
    """Purchase limits (§95911(d)), declared holding-limit headroom, accepted guarantee (§95912(h)(8))."""
    entity = await uow.directory.entity(application.entity_id)
    entity_type = entity.entity_type if entity is not None else "other"
    return BidderTerms(
        currency=application.currency,
        purchase_limits={pool: purchase_limit(auction, pool, entity_type, application.info.purchase_limit_share)
                         for pool in PoolKind},
        holding_limit_headroom=application.holding_limit_headroom,
        guarantee=await uow.guarantees.get(auction.id, application.entity_id),
        headroom_source=application.headroom_source,
    )


async def _bidder(uow: AuctionUnitOfWork, auction: Auction, entity_id: str, actor: Principal) -> Application:
    """The acting representative and the entity may bid: §95912(d)(3), (d)(6), (e)."""
    representative = await uow.directory.representative(actor.subject, entity_id)
    representative.require_may_bid()
    application = await uow.applications.get(auction.id, entity_id, lock="update")  # serialises a bidder's book
    if application is None or application.status is not ApplicationStatus.APPROVED:
        raise BidderNotApproved("the entity is not approved to participate in this auction (§95912(e))")
    if application.review_pending:
        raise ChangeReviewPending("the executive officer is reviewing a change to the eligibility information")
    entity = await uow.directory.entity(entity_id)
    if entity is None:
        raise EntityNotRegistered("the registry has not registered this entity", entity_id=entity_id)
    entity.require_eligible()  # §95912(d)(3): suspended since approval
    if auction.is_joint and auction.exchange_rate is None:
        raise ExchangeRateNotSet("the Auction Exchange Rate has not been set for this joint auction")
    return application


async def _check(uow: AuctionUnitOfWork, auction: Auction, application: Application, changed: Bid,
                 policy: AuctionPolicy, registry: int | None, now: datetime) -> None:
    if registry is not None:
        application.observe_registry_headroom(registry, now)
        await uow.applications.save(application)
    book = [b for b in await uow.bids.for_bidder(auction.id, application.entity_id) if b.id != changed.id]
    check_book([*book, changed], changed, await bidder_terms(uow, auction, application),
               reserve_usd=auction.reserve_price_usd(), rate=auction.exchange_rate,
               max_bids_per_pool=policy.max_bids_per_pool)


def _details(bid: Bid) -> dict[str, object]:
    return {"entity_id": bid.entity_id, "pool": bid.pool.value, "price": str(bid.price),
            "currency": bid.currency.value, "quantity": bid.quantity}


async def place_bid(cmd: PlaceBid, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                    policy: AuctionPolicy) -> Bid:
    now = clock.now()
    async with uow:
        auction = await load(uow, cmd.auction_id, lock="share")
        auction.require_bidding_open(now)  # §95912(g)
        application = await _bidder(uow, auction, cmd.entity_id, actor)
        bid = Bid(id=f"bid_{uuid.uuid4().hex[:20]}", auction_id=auction.id, entity_id=cmd.entity_id, pool=cmd.pool,
                  price=cmd.price, currency=cmd.currency, quantity=cmd.quantity, placed_by=actor.subject,
                  placed_at=now)
        await _check(uow, auction, application, bid, policy, cmd.registry_headroom, now)
        await uow.bids.add(bid)
        await uow.audit("bid.placed", bid.id, _details(bid))
        await uow.commit()
    return bid


async def _own_bid(uow: AuctionUnitOfWork, auction_id: str, bid_id: str, actor: Principal) -> Bid:
    bid = await uow.bids.get(bid_id, lock="update")
    if bid is None or bid.auction_id != auction_id:
        raise BidNotFound("no such bid", bid_id=bid_id)
    representative = await uow.directory.representative(actor.subject, bid.entity_id)
    if not representative.may_view:
        raise BidNotFound("no such bid", bid_id=bid_id)  # another entity's bid: do not reveal it
    if bid.status is BidStatus.WITHDRAWN:
        raise BidNotFound("the bid was withdrawn", bid_id=bid_id)
    return bid


async def change_bid(cmd: ChangeBid, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                     policy: AuctionPolicy) -> Bid:
    now = clock.now()
    async with uow:
        auction = await load(uow, cmd.auction_id, lock="share")
        auction.require_bidding_open(now)  # §95912(g): binding once the window closes
        bid = await _own_bid(uow, auction.id, cmd.bid_id, actor)
        application = await _bidder(uow, auction, bid.entity_id, actor)
        before = _details(bid)
        bid.change(cmd.price, cmd.quantity, actor.subject, now)
        await _check(uow, auction, application, bid, policy, cmd.registry_headroom, now)
        await uow.bids.save(bid)
        await uow.audit("bid.changed", bid.id, {"before": before, "after": _details(bid)})
        await uow.commit()
    return bid


async def withdraw_bid(auction_id: str, bid_id: str, *, actor: Principal, uow: AuctionUnitOfWork,
                       clock: Clock) -> Bid:
    now = clock.now()
    async with uow:
        auction = await load(uow, auction_id, lock="share")
        auction.require_bidding_open(now)
        bid = await _own_bid(uow, auction.id, bid_id, actor)
        await _bidder(uow, auction, bid.entity_id, actor)
        bid.withdraw(actor.subject, now)
        await uow.bids.save(bid)
        await uow.audit("bid.withdrawn", bid.id, _details(bid))
        await uow.commit()
    return bid
