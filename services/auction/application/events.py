"""What the auction service does with other services' events. Handlers never commit: the
consumer commits the inbox row and the effect together."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.domain.bidding import Money
from services.auction.domain.clearing_input import Currency
from services.auction.domain.lifecycle import AuctionStatus
from shared.contracts.auction import AuctionSerialsReported
from shared.contracts.financial import GuaranteeAccepted, WinnerSettled
from shared.contracts.identity import IndividualApproved, IndividualDenied, IndividualSuspended
from shared.contracts.registry import AccountChanged, EntityChanged, MoveRecorded

AUCTION_AWARD = "auction_award"  # the reason the registry gives a delivery of auctioned allowances
MAX_GUARANTEE = Decimal(10) ** 15  # the clearing engine's bound on an amount


async def entity_changed(event: EntityChanged, occurred_at: datetime, uow: AuctionUnitOfWork) -> None:
    """§95912(d)(2)-(3): registration and suspension/revocation decide eligibility."""
    applied = await uow.directory.put_entity(
        entity_id=event.entity_id, legal_name=event.legal_name, entity_type=event.entity_type,
        jurisdiction=event.jurisdiction, status=event.status, direct_associates=list(event.direct_associates),
        occurred_at=occurred_at,
    )
    if applied:
        await uow.audit("entity.learned", event.entity_id, {"status": event.status, "type": event.entity_type})


async def account_changed(event: AccountChanged, occurred_at: datetime, uow: AuctionUnitOfWork) -> None:
    """Representatives (§95832) and the holding account's status (§95912(d)(3))."""
    applied = await uow.directory.put_account(
        account_number=event.account_number, account_type=event.account_type, owner_kind=event.owner_kind,
        entity_id=event.entity_id, jurisdiction=event.jurisdiction, status=event.status,
        representatives=[(r.individual_id, r.role) for r in event.representatives], occurred_at=occurred_at,
    )
    if applied:
        await uow.audit("account.learned", event.account_number, {
            "entity_id": event.entity_id, "status": event.status,
            "representatives": sorted(r.individual_id for r in event.representatives),
        })


async def individual_status(event: IndividualApproved | IndividualDenied | IndividualSuspended,
                            occurred_at: datetime, uow: AuctionUnitOfWork) -> None:
    """§95912(d)(6)(A): only individuals who passed KYC (§95834) bid."""
    if isinstance(event, IndividualApproved):
        status, name, jurisdiction = "approved", event.legal_name, event.jurisdiction
    elif isinstance(event, IndividualDenied):
        status, name, jurisdiction = "denied", None, None
    else:
        status, name, jurisdiction = "suspended", None, None
    if await uow.directory.put_individual(individual_id=event.individual_id, kyc_status=status,
                                          occurred_at=occurred_at, legal_name=name, jurisdiction=jurisdiction):
        await uow.audit("individual.kyc_learned", event.individual_id, {"kyc_status": status})


async def guarantee_accepted(event: GuaranteeAccepted, event_id: uuid.UUID, uow: AuctionUnitOfWork) -> None:
    """§95912(h)(8): the FSA reports the accepted value. A rescheduled auction takes no
    amendment (§95912(j)(3)(D)): a different value is recorded in the audit trail and ignored."""
    subject = f"{event.auction_id}/{event.entity_id}"
    try:
        amount = Decimal(event.accepted_value.amount)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or not 0 <= amount < MAX_GUARANTEE or amount != amount.quantize(Decimal("0.01")):
        await uow.audit("guarantee.rejected", subject, {"amount": event.accepted_value.amount,
                                                         "reason": "not a whole-cent amount in range"})
        return
    value = Money(amount, Currency(event.accepted_value.currency))
    auction = await uow.auctions.get(event.auction_id)
    existing = await uow.guarantees.get(event.auction_id, event.entity_id)
    if auction is not None and auction.rescheduled and existing is not None and existing != value:
        await uow.audit("guarantee.amendment_refused", subject, {
            "kept": str(existing.amount), "offered": str(value.amount), "currency": value.currency.value,
        })
        return
    await uow.guarantees.put(event.auction_id, event.entity_id, value, event.accepted_at, event_id)
    await uow.audit("guarantee.accepted", subject, {"amount": str(value.amount), "currency": value.currency.value})


async def winner_settled(event: WinnerSettled, uow: AuctionUnitOfWork) -> None:
    if await uow.results.mark_settled(event.auction_id, event.entity_id, Decimal(event.paid.amount),
                                      event.settled_at):
        await uow.audit("winner.settled", f"{event.auction_id}/{event.entity_id}", {"paid": event.paid.amount})


async def move_recorded(event: MoveRecorded, uow: AuctionUnitOfWork) -> None:
    """§95912(i)(5): when the registry delivers auctioned allowances, tell linked systems their serials."""
    if event.reason != AUCTION_AWARD or not event.reference:
        return
    auction_id = event.reference.split(":", 1)[0].split("/", 1)[0]
    auction = await uow.auctions.get(auction_id)
    if auction is None or auction.status is not AuctionStatus.CERTIFIED:
        return
    now = uow.clock.now()
    serials = [s.model_dump(mode="json") for s in event.serials]
    if not await uow.results.add_serial_report(move_id=event.move_id, auction_id=auction.id, serials=serials,
                                               quantity=event.quantity, at=now):
        return
    await uow.publish(AuctionSerialsReported(auction_id=auction.id, move_id=event.move_id, quantity=event.quantity,
                                             serials=list(event.serials), reported_at=now))
    await uow.audit("auction.serials_reported", auction.id, {"move_id": event.move_id, "quantity": event.quantity})
