"""Use cases of the auction administrator and the executive officer on the auction itself:
the notice (§95912(c)), linked quantities (§95912(c)(8)), the exchange rate, and the bidding
window's delay, rescheduling and cancellation (§95912(j))."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.access import ADMIN, EO, require
from services.auction.application.policy import AuctionPolicy
from services.auction.domain.clearing_input import CALIFORNIA, JurisdictionOffer, PoolKind
from services.auction.domain.errors import AuctionNotFound
from services.auction.domain.lifecycle import (
    Auction,
    Notice,
    Offers,
    PurchaseLimitRates,
    local_date,
    supported_jurisdictions,
)
from services.auction.domain.reserve import announced_reserve_prices
from shared.auth.principal import Principal
from shared.clock import Clock
from shared.contracts.auction import AuctionCancelled, AuctionScheduled, BiddingWindowRescheduled


@dataclass(frozen=True)
class PublishNotice:
    jurisdictions: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime
    notice: Notice
    offers: Offers
    purchase_limit_rates: PurchaseLimitRates | None = None


@dataclass(frozen=True)
class AmendOffer:
    auction_id: str
    pool: PoolKind
    jurisdiction: str
    offer: JurisdictionOffer


async def load(uow: AuctionUnitOfWork, auction_id: str, *, lock: str | None = None) -> Auction:
    auction = await uow.auctions.get(auction_id, lock=lock)  # type: ignore[arg-type]
    if auction is None:
        raise AuctionNotFound("no such auction", auction_id=auction_id)
    return auction


async def publish_notice(cmd: PublishNotice, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                         policy: AuctionPolicy) -> Auction:
    """§95912(c): at least 60 days before; every item (1)-(8); the reserve price of §95911(c)."""
    jurisdictions = supported_jurisdictions(cmd.jurisdictions)
    require(actor, ADMIN, jurisdictions)
    now = clock.now()
    reserves = announced_reserve_prices(policy.reserve_prices, jurisdictions,
                                        local_date(cmd.opens_at, policy.tz).year, local_date(now, policy.tz))
    auction = Auction.publish(
        auction_id=f"auc_{uuid.uuid4().hex[:16]}",
        jurisdictions=jurisdictions,
        opens_at=cmd.opens_at,
        closes_at=cmd.closes_at,
        notice=cmd.notice,
        offers=cmd.offers,
        reserve_prices=reserves,
        purchase_limit_rates=cmd.purchase_limit_rates or policy.purchase_limit_rates,
        now=now,
        tz=policy.tz,
        published_by=actor.subject,
    )
    async with uow:
        await uow.auctions.add(auction)
        await uow.publish(AuctionScheduled(
            auction_id=auction.id,
            auction_date=auction.auction_date,
            bidding_opens_at=auction.opens_at,
            bidding_closes_at=auction.closes_at,
            jurisdictions=list(auction.jurisdictions),
            guarantee_deadline=auction.guarantee_deadline,
            # California's reserve; a joint reserve is fixed with the exchange rate (docs/auction.md)
            reserve_price_usd=str(reserves[CALIFORNIA]),
        ))
        await uow.audit("auction.notice_published", auction.id, {
            "jurisdictions": list(auction.jurisdictions), "auction_date": auction.auction_date.isoformat(),
            "opens_at": auction.opens_at.isoformat(), "closes_at": auction.closes_at.isoformat(),
            "reserve_prices": {j: str(p) for j, p in reserves.items()},
        })
        await uow.commit()
    return auction


async def amend_offer(cmd: AmendOffer, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                      policy: AuctionPolicy) -> Auction:
    """§95912(c)(8): linked quantities may change until 30 days before the auction."""
    async with uow:
        auction = await load(uow, cmd.auction_id, lock="update")
        require(actor, ADMIN, auction.jurisdictions)
        before = auction.offers[cmd.pool][cmd.jurisdiction].total() if cmd.jurisdiction in auction.jurisdictions else 0
        auction.amend_offers(cmd.jurisdiction, cmd.pool, cmd.offer, clock.now(), policy.tz)
        await uow.auctions.save(auction)
        await uow.audit("auction.offer_amended", auction.id, {
            "pool": cmd.pool.value, "jurisdiction": cmd.jurisdiction, "before": before, "after": cmd.offer.total(),
        })
        await uow.commit()
    return auction


async def set_exchange_rate(auction_id: str, rate: Decimal, *, actor: Principal, uow: AuctionUnitOfWork,
                            clock: Clock) -> Auction:
    """The Auction Exchange Rate (CAD per USD), set the business day before the auction."""
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, ADMIN, auction.jurisdictions)
        auction.set_exchange_rate(rate, clock.now())
        await uow.auctions.save(auction)
        await uow.audit("auction.exchange_rate_set", auction.id, {
            "exchange_rate_cad_per_usd": str(rate), "reserve_price_usd": str(auction.reserve_price_usd()),
        })
        await uow.commit()
    return auction


def _window_event(auction: Auction, *, kind: str, reason: str, now: datetime) -> BiddingWindowRescheduled:
    return BiddingWindowRescheduled(
        auction_id=auction.id, auction_date=auction.auction_date, bidding_opens_at=auction.opens_at,
        bidding_closes_at=auction.closes_at, rescheduled_at=now, reason=reason, kind=kind,  # type: ignore[arg-type]
    )


async def delay_window(auction_id: str, minutes: int, reason: str, *, actor: Principal, uow: AuctionUnitOfWork,
                       clock: Clock) -> Auction:
    """§95912(j)(1): the executive officer delays the opening, by at most one hour in all."""
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, EO, auction.jurisdictions)
        now = clock.now()
        auction.delay(minutes, now)
        await uow.auctions.save(auction)
        await uow.publish(_window_event(auction, kind="delayed", reason=reason, now=now))
        await uow.audit("auction.window_delayed", auction.id, {
            "minutes": minutes, "total_delay_minutes": auction.delay_minutes, "reason": reason,
            "opens_at": auction.opens_at.isoformat(), "closes_at": auction.closes_at.isoformat(),
        })
        await uow.commit()
    return auction


async def reschedule_window(auction_id: str, opens_at: datetime, closes_at: datetime, reason: str, *,
                            actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                            policy: AuctionPolicy) -> Auction:
    """§95912(j)(2)-(3). Bids placed in an interrupted window are void: bids bind when a window
    closes (§95912(g)), and the rescheduled window is a new one."""
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, EO, auction.jurisdictions)
        now = clock.now()
        previous = (auction.opens_at.isoformat(), auction.closes_at.isoformat())
        auction.reschedule(opens_at, closes_at, now, policy.tz, policy.reschedule_max_days)
        voided = await uow.bids.withdraw_all(auction.id, f"reschedule:{actor.subject}", now)
        await uow.auctions.save(auction)
        await uow.publish(_window_event(auction, kind="rescheduled", reason=reason, now=now))
        await uow.audit("auction.window_rescheduled", auction.id, {
            "previous_window": list(previous), "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(),
            "reason": reason, "bids_voided": voided,
        })
        await uow.commit()
    return auction


async def cancel_auction(auction_id: str, reason: str, *, actor: Principal, uow: AuctionUnitOfWork,
                         clock: Clock) -> Auction:
    """§95912(j)(3)(E): the executive officer cancels the bidding window."""
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, EO, auction.jurisdictions)
        now = clock.now()
        auction.cancel(reason, now)
        voided = await uow.bids.withdraw_all(auction.id, f"cancel:{actor.subject}", now)
        await uow.auctions.save(auction)
        await uow.publish(AuctionCancelled(auction_id=auction.id, kind="window_cancelled", cancelled_at=now,
                                           reason=reason))
        await uow.audit("auction.cancelled", auction.id, {"reason": reason, "bids_voided": voided})
        await uow.commit()
    return auction
