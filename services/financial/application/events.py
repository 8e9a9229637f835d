"""What the financial service learns from other services' events (handlers never commit)."""

from __future__ import annotations

from datetime import timedelta

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.guarantees import UNSETTLED, after_auction
from services.financial.application.policy import FinancialPolicy
from services.financial.domain.auctions import Auction, AuctionStatus
from services.financial.domain.guarantees import Bidder, GuaranteeForm, GuaranteeStatus
from shared.contracts.auction import AuctionCancelled, AuctionScheduled, BidderApproved, BiddingWindowRescheduled
from shared.contracts.registry import AccountChanged
from shared.messaging.envelope import Envelope


async def on_auction_scheduled(event: AuctionScheduled, *, uow: FinancialUnitOfWork) -> None:
    """The notice (§95912(c)): the auction date and the guarantee deadline (§95912(h))."""
    now = uow.clock.now()
    auction = await uow.auctions.get(event.auction_id, for_update=True)
    if auction is None:
        auction = Auction(event.auction_id, event.auction_date, list(event.jurisdictions), event.guarantee_deadline)
    if auction.rescheduled_at is None:  # a rescheduled window is changed only by its own event
        auction.auction_date, auction.guarantee_deadline = event.auction_date, event.guarantee_deadline
        auction.jurisdictions = list(event.jurisdictions)
        auction.bidding_opens_at, auction.bidding_closes_at = event.bidding_opens_at, event.bidding_closes_at
    await uow.auctions.save(auction, now)
    await uow.audit("auction.scheduled", event.auction_id, {
        "auction_date": event.auction_date.isoformat(), "guarantee_deadline": event.guarantee_deadline.isoformat()})


async def on_bidder_approved(event: BidderApproved, *, uow: FinancialUnitOfWork) -> None:
    await uow.bidders.upsert(event.auction_id, Bidder(event.entity_id, event.jurisdiction, event.currency),
                             uow.clock.now())
    await uow.audit("bidder.approved", event.auction_id, {"entity_id": event.entity_id, "currency": event.currency})


async def on_rescheduled(event: BiddingWindowRescheduled, *, uow: FinancialUnitOfWork,
                         policy: FinancialPolicy) -> None:
    """§95912(j)(3): keep every guarantee (C), allow no amendment (D); flag those expiring too soon (A)."""
    auction = await uow.auctions.get(event.auction_id, for_update=True)
    if auction is None:
        await uow.audit("auction.rescheduled_unknown", event.auction_id, {})
        return
    delayed_only = event.kind == "delayed"  # §95912(j)(1): not a rescheduled auction
    auction.reschedule(auction_date=event.auction_date, opens_at=event.bidding_opens_at,
                       closes_at=event.bidding_closes_at, at=event.rescheduled_at, delayed_only=delayed_only)
    if delayed_only:
        await uow.auctions.save(auction, uow.clock.now())
        await uow.audit("auction.window_delayed", event.auction_id, {"opens_at": event.bidding_opens_at.isoformat()})
        return
    earliest = event.auction_date + timedelta(days=policy.guarantees.min_expiry_days)
    live = await uow.guarantees.find(auction_id=event.auction_id, statuses=(
        GuaranteeStatus.SUBMITTED, GuaranteeStatus.CONFORMING, GuaranteeStatus.ACCEPTED))
    at_risk = [g.id for g in live
               if g.form is not GuaranteeForm.CASH and g.expires_on is not None and g.expires_on < earliest]
    if at_risk:
        auction.problems.append(f"guarantees expiring before {earliest.isoformat()} after rescheduling: "
                                + ", ".join(at_risk))
    await uow.auctions.save(auction, uow.clock.now())
    await uow.audit("auction.rescheduled", event.auction_id, {
        "auction_date": event.auction_date.isoformat(), "reason": event.reason, "expiry_at_risk": at_risk})


async def on_cancelled(event: AuctionCancelled, *, uow: FinancialUnitOfWork) -> None:
    """No sale (§95912(j)(3)(E), (i)(1)): return cash and release other forms, unless kept by agreement."""
    now = uow.clock.now()
    auction = await uow.auctions.get(event.auction_id, for_update=True)
    if auction is None or auction.certification is not None:
        await uow.audit("auction.cancellation_ignored", event.auction_id, {"kind": event.kind})
        return
    auction.status = AuctionStatus.CANCELLED
    for g in await uow.guarantees.find(auction_id=event.auction_id, statuses=UNSETTLED, for_update=True):
        await after_auction(uow, g, now, why=f"auction {event.kind}")
    await uow.auctions.save(auction, now)
    await uow.audit("auction.cancelled", event.auction_id, {"kind": event.kind, "reason": event.reason})


async def on_account_changed(event: AccountChanged, envelope: Envelope, *, uow: FinancialUnitOfWork) -> None:
    """Representatives of each entity account (§95832), last write wins by the event's time."""
    await uow.accounts.upsert(
        account_number=event.account_number, changed_at=envelope.occurred_at,
        entity_id=event.entity_id if event.owner_kind == "entity" else None, account_type=event.account_type,
        jurisdiction=event.jurisdiction, status=event.status,
        representatives=[r.model_dump(mode="json") for r in event.representatives],
    )
    await uow.audit("account.learned", event.account_number, {
        "entity_id": event.entity_id, "status": event.status,
        "representatives": [[r.individual_id, r.role] for r in event.representatives]})
