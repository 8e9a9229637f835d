"""Use cases of applications (§95912(d)-(e)) and of the representatives' FSA information (§95912(d)(6)(B))."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.access import EO, require
from services.auction.application.notice import load
from services.auction.application.policy import AuctionPolicy
from services.auction.domain.clearing_input import Currency
from services.auction.domain.errors import (
    ApplicationDeadlinePassed,
    ApplicationExists,
    ApplicationNotFound,
    AuctionRescheduled,
    EntityNotRegistered,
    HoldingAccountUnknown,
    JurisdictionNotInAuction,
)
from services.auction.domain.participation import Application, EligibilityInformation, EntityStanding
from shared.auth.principal import Principal
from shared.clock import Clock
from shared.contracts.auction import BidderApproved


@dataclass(frozen=True)
class SubmitApplication:
    auction_id: str
    entity_id: str
    currency: Currency
    intends_to_bid: bool
    info: EligibilityInformation


@dataclass(frozen=True)
class AmendApplication:
    auction_id: str
    entity_id: str
    info: EligibilityInformation | None = None
    intends_to_bid: bool | None = None


@dataclass(frozen=True)
class Decide:
    auction_id: str
    entity_id: str
    approve: bool
    reason: str | None = None


async def _entity(uow: AuctionUnitOfWork, entity_id: str) -> EntityStanding:
    entity = await uow.directory.entity(entity_id)
    if entity is None:  # §95912(d)(2)
        raise EntityNotRegistered("the registry has not registered this entity", entity_id=entity_id)
    return entity


async def submit_application(cmd: SubmitApplication, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                             policy: AuctionPolicy) -> Application:
    """§95912(d)(4), (e): eligibility information and intent to bid, at least 30 days before."""
    now = clock.now()
    async with uow:
        auction = await load(uow, cmd.auction_id, lock="share")
        representative = await uow.directory.representative(actor.subject, cmd.entity_id)
        representative.require_may_act()
        if auction.rescheduled:  # §95912(j)(3)(B)
            raise AuctionRescheduled("a rescheduled auction accepts no additional applications")
        if auction.applications_closed(now, policy.tz):
            raise ApplicationDeadlinePassed(
                f"applications were due by {auction.application_deadline}",
                deadline=auction.application_deadline.isoformat(),
            )
        entity = await _entity(uow, cmd.entity_id)
        if entity.jurisdiction not in auction.jurisdictions:
            raise JurisdictionNotInAuction("the entity's jurisdiction does not take part in this auction",
                                           jurisdiction=entity.jurisdiction)
        if await uow.applications.get(auction.id, cmd.entity_id) is not None:
            raise ApplicationExists("this entity has applied already")
        application = Application.submit(auction_id=auction.id, entity=entity, currency=cmd.currency,
                                         intends_to_bid=cmd.intends_to_bid, info=cmd.info, by=actor.subject,
                                         now=now)
        if not await uow.applications.add(application):
            raise ApplicationExists("this entity has applied already")
        await uow.audit("application.submitted", f"{auction.id}/{cmd.entity_id}", {
            "intends_to_bid": cmd.intends_to_bid, "currency": cmd.currency.value,
        })
        await uow.commit()
    return application


async def amend_application(cmd: AmendApplication, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                            policy: AuctionPolicy) -> Application:
    """A change within 30 days is flagged for the executive officer, who may deny it (§95912(d)(5))."""
    now = clock.now()
    async with uow:
        auction = await load(uow, cmd.auction_id, lock="share")
        representative = await uow.directory.representative(actor.subject, cmd.entity_id)
        representative.require_may_act()
        auction.require_before_window(now)
        application = await uow.applications.get(auction.id, cmd.entity_id, lock="update")
        if application is None:
            raise ApplicationNotFound("this entity has not applied", entity_id=cmd.entity_id)
        late = auction.applications_closed(now, policy.tz)
        application.amend(info=cmd.info, intends_to_bid=cmd.intends_to_bid, late=late, now=now)
        await uow.applications.save(application)
        await uow.audit("application.amended", f"{auction.id}/{cmd.entity_id}", {
            "eligibility_changed": cmd.info is not None, "intends_to_bid": cmd.intends_to_bid,
            "within_30_days": late, "review_pending": application.review_pending,
        })
        await uow.commit()
    return application


async def _decision_context(cmd: Decide, actor: Principal, uow: AuctionUnitOfWork,
                            clock: Clock) -> tuple[Application, EntityStanding | None]:
    auction = await load(uow, cmd.auction_id, lock="share")
    application = await uow.applications.get(auction.id, cmd.entity_id, lock="update")
    if application is None:
        require(actor, EO, auction.jurisdictions)
        raise ApplicationNotFound("this entity has not applied", entity_id=cmd.entity_id)
    require(actor, EO, [application.jurisdiction])  # the executive officer of the entity's jurisdiction
    auction.require_before_window(clock.now())
    entity = await uow.directory.entity(cmd.entity_id)
    if cmd.approve:
        if entity is None:
            raise EntityNotRegistered("the registry has not registered this entity", entity_id=cmd.entity_id)
        entity.require_eligible()  # §95912(d)(3), again at the decision
    return application, entity


async def decide_eligibility(cmd: Decide, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock) -> Application:
    """§95912(d)(1): the executive officer approves (or denies) the entity's auction eligibility."""
    async with uow:
        application, _ = await _decision_context(cmd, actor, uow, clock)
        late_change = application.late_change_at is not None
        application.decide_eligibility(approve=cmd.approve, reason=cmd.reason, by=actor.subject, now=clock.now())
        await uow.applications.save(application)
        await uow.audit("application.eligibility_decided", f"{cmd.auction_id}/{cmd.entity_id}", {
            "approve": cmd.approve, "reason": cmd.reason, "status": application.status.value,
            "late_change": late_change,
        })
        await uow.commit()
    return application


async def decide_participation(cmd: Decide, *, actor: Principal, uow: AuctionUnitOfWork,
                               clock: Clock) -> Application:
    """§95912(e): approval to participate; the financial service learns it from BidderApproved."""
    async with uow:
        application, entity = await _decision_context(cmd, actor, uow, clock)
        if cmd.approve and (entity is None or entity.holding_account is None):
            raise HoldingAccountUnknown("the entity has no holding account to receive allowances",
                                        entity_id=cmd.entity_id)
        application.decide_participation(approve=cmd.approve, reason=cmd.reason, by=actor.subject, now=clock.now())
        await uow.applications.save(application)
        if cmd.approve:
            await uow.publish(BidderApproved(auction_id=cmd.auction_id, entity_id=cmd.entity_id,
                                             jurisdiction=application.jurisdiction,
                                             currency=application.currency.value))
        await uow.audit("application.participation_decided", f"{cmd.auction_id}/{cmd.entity_id}", {
            "approve": cmd.approve, "reason": cmd.reason, "status": application.status.value,
        })
        await uow.commit()
    return application


async def submit_fsa_information(details: dict[str, Any], *, actor: Principal, uow: AuctionUnitOfWork,
                                 clock: Clock) -> None:
    """§95912(d)(6)(B): a representative who will bid gives the FSA's Appendix A information."""
    async with uow:
        await uow.directory.put_fsa_information(actor.subject, details, clock.now())
        await uow.audit("representative.fsa_information_submitted", actor.subject, {"fields": sorted(details)})
        await uow.commit()
