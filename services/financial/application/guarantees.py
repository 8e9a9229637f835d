"""Use cases on bid guarantees (§95912(h), (i)(3)(E)-(G), (j)(3)). One command, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.access import Access
from services.financial.application.policy import FinancialPolicy, new_id
from services.financial.domain import ledger
from services.financial.domain.auctions import Auction
from services.financial.domain.errors import AuctionNotFound, BidderNotApproved, GuaranteeNotFound
from services.financial.domain.guarantees import (
    Bidder,
    Guarantee,
    GuaranteeForm,
    GuaranteeStatus,
    Terms,
    accepted_value,
    check_terms,
)
from services.financial.domain.money import Currency, Money, parse_amount
from shared.auth.principal import Principal
from shared.contracts.auction import Money as MoneyContract
from shared.contracts.financial import GuaranteeAccepted


@dataclass(frozen=True)
class GuaranteeTerms:
    form: GuaranteeForm
    amount: str
    currency: str
    expires_on: date | None = None
    issuer: str | None = None
    instrument_reference: str | None = None

    def to_terms(self) -> Terms:
        return Terms(self.form, Money(parse_amount(self.amount), Currency(self.currency)), self.expires_on, self.issuer,
                     self.instrument_reference)


@dataclass(frozen=True)
class SubmitGuarantee:
    auction_id: str
    entity_id: str
    terms: GuaranteeTerms


@dataclass(frozen=True)
class AmendGuarantee:
    guarantee_id: str
    terms: GuaranteeTerms


@dataclass(frozen=True)
class EvaluateGuarantee:
    guarantee_id: str
    conforming: bool
    note: str | None = None


@dataclass(frozen=True)
class DecideGuarantee:
    guarantee_id: str
    accept: bool
    note: str | None = None


# ---- helpers shared by the use cases ---------------------------------------------------------------

async def load_auction(uow: FinancialUnitOfWork, auction_id: str, *, for_update: bool = False) -> Auction:
    auction = await uow.auctions.get(auction_id, for_update=for_update)
    if auction is None:
        raise AuctionNotFound(auction_id=auction_id)
    return auction


async def load_bidder(uow: FinancialUnitOfWork, auction_id: str, entity_id: str) -> Bidder:
    bidder = await uow.bidders.get(auction_id, entity_id)
    if bidder is None:
        raise BidderNotApproved(auction_id=auction_id, entity_id=entity_id)
    return bidder


async def load_guarantee(uow: FinancialUnitOfWork, guarantee_id: str) -> tuple[Guarantee, Auction]:
    g = await uow.guarantees.get(guarantee_id, for_update=True)
    if g is None:
        raise GuaranteeNotFound(guarantee_id=guarantee_id)
    return g, await load_auction(uow, g.auction_id)


def _refs(g: Guarantee) -> dict[str, str | None]:
    return {"auction_id": g.auction_id, "guarantee_id": g.id}


async def post_received(uow: FinancialUnitOfWork, g: Guarantee, at: datetime) -> None:
    await uow.ledger.post(ledger.guarantee_received(g.entity_id, g.form, g.amount, **_refs(g)), at=at)


async def post_returned(uow: FinancialUnitOfWork, g: Guarantee, returned: Money, at: datetime, *, why: str) -> None:
    if returned.is_positive:
        await uow.ledger.post(ledger.guarantee_returned(g.entity_id, g.form, returned, memo=why, **_refs(g)), at=at)


async def give_back(uow: FinancialUnitOfWork, g: Guarantee, at: datetime, *, why: str) -> Money:
    """Return unused cash (§95912(i)(3)(E)) or release another form (§95912(i)(3)(F)) and post it."""
    returned = g.give_back(at)
    await post_returned(uow, g, returned, at, why=why)
    return returned


UNSETTLED = (GuaranteeStatus.SUBMITTED, GuaranteeStatus.CONFORMING, GuaranteeStatus.ACCEPTED)


async def after_auction(uow: FinancialUnitOfWork, g: Guarantee, at: datetime, *, why: str) -> None:
    """Keep by agreement (§95912(i)(3)(G)), else return cash (E) or release other forms (F)."""
    returned = g.after_settlement(at) if g.status is GuaranteeStatus.ACCEPTED else g.give_back(at)
    await post_returned(uow, g, returned, at, why=why)
    await uow.guarantees.save(g)
    await uow.audit("guarantee.kept" if g.status is GuaranteeStatus.KEPT else "guarantee.returned", g.id,
                    {"auction_id": g.auction_id, "returned": str(returned.amount), "form": str(g.form)})


async def publish_accepted_value(uow: FinancialUnitOfWork, auction_id: str, entity_id: str, currency: str,
                                 at: datetime) -> Money:
    """Tell the auction service what the entity's accepted guarantees are now worth (§95912(h)(8))."""
    held = await uow.guarantees.find(auction_id=auction_id, entity_ids=[entity_id])
    value = accepted_value(held, currency)
    await uow.publish(GuaranteeAccepted(
        auction_id=auction_id, entity_id=entity_id, accepted_at=at,
        accepted_value=MoneyContract(amount=str(value.amount), currency=value.currency.value),
    ))
    return value


def _new_guarantee(auction: Auction, bidder: Bidder, terms: Terms, by: str, at: datetime,
                   amends: str | None = None) -> Guarantee:
    return Guarantee(
        id=new_id("gua"), entity_id=bidder.entity_id, auction_id=auction.auction_id,
        jurisdiction=bidder.jurisdiction, form=terms.form, amount=terms.amount, expires_on=terms.expires_on,
        issuer=terms.issuer, instrument_reference=terms.instrument_reference, submitted_by=by, submitted_at=at,
        amends=amends,
    )


def _audit_terms(g: Guarantee) -> dict[str, object]:
    return {"auction_id": g.auction_id, "entity_id": g.entity_id, "form": str(g.form),
            "amount": str(g.amount.amount), "currency": str(g.currency),
            "expires_on": g.expires_on.isoformat() if g.expires_on else None}


# ---- use cases ---------------------------------------------------------------------------------------

async def submit_guarantee(cmd: SubmitGuarantee, *, principal: Principal, uow: FinancialUnitOfWork,
                           policy: FinancialPolicy) -> Guarantee:
    """A representative (or the FSA) lodges a bid guarantee for an auction (§95912(h))."""
    async with uow:
        now = uow.clock.now()
        auction = await load_auction(uow, cmd.auction_id)
        access = await Access.of(principal, uow)
        access.require_acting_for(cmd.entity_id, auction.jurisdictions)
        bidder = await load_bidder(uow, cmd.auction_id, cmd.entity_id)
        terms = check_terms(cmd.terms.to_terms(), policy=policy.guarantees, window=auction.window, bidder=bidder,
                            today=policy.today(now))
        g = _new_guarantee(auction, bidder, terms, principal.subject, now)
        await uow.guarantees.add(g)
        await uow.audit("guarantee.submitted", g.id, _audit_terms(g))
        await uow.commit()
        return g


async def amend_guarantee(cmd: AmendGuarantee, *, principal: Principal, uow: FinancialUnitOfWork,
                          policy: FinancialPolicy) -> Guarantee:
    """Replace a guarantee's terms before the deadline; never for a rescheduled window (§95912(j)(3)(D))."""
    async with uow:
        now = uow.clock.now()
        old, auction = await load_guarantee(uow, cmd.guarantee_id)
        access = await Access.of(principal, uow)
        if not access.sees_record(auction.jurisdictions, old.entity_id):
            raise GuaranteeNotFound(guarantee_id=cmd.guarantee_id)
        access.require_acting_for(old.entity_id, auction.jurisdictions)
        bidder = await load_bidder(uow, auction.auction_id, old.entity_id)
        terms = check_terms(cmd.terms.to_terms(), policy=policy.guarantees, window=auction.window, bidder=bidder,
                            today=policy.today(now))
        was_accepted = old.status is GuaranteeStatus.ACCEPTED
        old.supersede()
        await give_back(uow, old, now, why="superseded by an amendment")
        await uow.guarantees.save(old)
        new = _new_guarantee(auction, bidder, terms, principal.subject, now, amends=old.id)
        await uow.guarantees.add(new)
        if was_accepted:
            await publish_accepted_value(uow, auction.auction_id, old.entity_id, str(old.currency), now)
        await uow.audit("guarantee.amended", new.id, {"amends": old.id, **_audit_terms(new)})
        await uow.commit()
        return new


async def evaluate_guarantee(cmd: EvaluateGuarantee, *, principal: Principal, uow: FinancialUnitOfWork) -> Guarantee:
    """The FSA has the instrument in hand and finds it conforming or not (§95912(h)(1)(D), (h)(8))."""
    async with uow:
        now = uow.clock.now()
        g, auction = await load_guarantee(uow, cmd.guarantee_id)
        (await Access.of(principal, uow)).require_fsa(auction.jurisdictions)
        g.evaluate(conforming=cmd.conforming, by=principal.subject, at=now, note=cmd.note)
        await post_received(uow, g, now)
        if not cmd.conforming:
            await give_back(uow, g, now, why="nonconforming")
        await uow.guarantees.save(g)
        await uow.audit("guarantee.evaluated", g.id, {"conforming": cmd.conforming, "note": cmd.note})
        await uow.commit()
        return g


async def decide_guarantee(cmd: DecideGuarantee, *, principal: Principal, uow: FinancialUnitOfWork) -> Guarantee:
    """The executive officer accepts (or declines) a conforming guarantee (§95912(h)(8))."""
    async with uow:
        now = uow.clock.now()
        g, _ = await load_guarantee(uow, cmd.guarantee_id)
        (await Access.of(principal, uow)).require_eo(g.jurisdiction)
        if cmd.accept:
            g.accept(by=principal.subject, at=now)
        else:
            g.decline(by=principal.subject, at=now, note=cmd.note)
            await give_back(uow, g, now, why="not accepted by the executive officer")
        await uow.guarantees.save(g)
        if cmd.accept:
            await publish_accepted_value(uow, g.auction_id, g.entity_id, str(g.currency), now)
        await uow.audit("guarantee.accepted" if cmd.accept else "guarantee.declined", g.id, {"note": cmd.note})
        await uow.commit()
        return g


async def agree_multi_auction(guarantee_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> Guarantee:
    """Record the FSA's and the bidder's agreement to hold the guarantee for several auctions (§95912(i)(3)(G))."""
    async with uow:
        g, auction = await load_guarantee(uow, guarantee_id)
        (await Access.of(principal, uow)).require_fsa(auction.jurisdictions)
        g.agree_multi_auction()
        await uow.guarantees.save(g)
        await uow.audit("guarantee.multi_auction_agreed", g.id, {"auction_id": g.auction_id})
        await uow.commit()
        return g


async def carry_over(guarantee_id: str, auction_id: str, *, principal: Principal, uow: FinancialUnitOfWork,
                     policy: FinancialPolicy) -> Guarantee:
    """Lodge a kept guarantee for the next auction; the executive officer accepts it again (§95912(i)(3)(G))."""
    async with uow:
        now = uow.clock.now()
        g, previous = await load_guarantee(uow, guarantee_id)
        target = await load_auction(uow, auction_id)
        access = await Access.of(principal, uow)
        access.require_fsa(previous.jurisdictions)
        access.require_fsa(target.jurisdictions)
        bidder = await load_bidder(uow, auction_id, g.entity_id)
        g.carry_over(window=target.window, bidder=bidder, policy=policy.guarantees, today=policy.today(now))
        await uow.guarantees.save(g)
        await uow.audit("guarantee.carried_over", g.id, {"from": previous.auction_id, "to": auction_id,
                                                          "held": str(g.held.amount)})
        await uow.commit()
        return g


async def release_kept(guarantee_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> Guarantee:
    """End a multi-auction agreement: the kept instrument goes back to the bidder (§95912(i)(3)(F))."""
    async with uow:
        now = uow.clock.now()
        g, auction = await load_guarantee(uow, guarantee_id)
        (await Access.of(principal, uow)).require_fsa(auction.jurisdictions)
        g.end_multi_auction_agreement()
        returned = await give_back(uow, g, now, why="multi-auction agreement ended")
        await uow.guarantees.save(g)
        await uow.audit("guarantee.released", g.id, {"returned": str(returned.amount)})
        await uow.commit()
        return g
