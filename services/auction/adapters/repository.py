"""SQLAlchemy repositories of the auction service: rows <-> domain objects. Queries live here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.auction.adapters.orm import (
    auction_applications,
    auctions,
    bid_guarantees,
    bids,
    clearings,
    public_results,
    serial_reports,
    winner_notices,
)
from services.auction.domain.bidding import Bid, BidStatus, Money
from services.auction.domain.clearing_input import Currency, JurisdictionOffer, PoolKind
from services.auction.domain.lifecycle import Auction, AuctionStatus, Notice, Offers, PurchaseLimitRates
from services.auction.domain.participation import (
    Application,
    ApplicationStatus,
    CorporateAssociation,
    EligibilityInformation,
    InvestigationAttestation,
)

Lock = Literal["update", "share"] | None


def _locked(stmt: Any, lock: Lock) -> Any:
    if lock == "update":
        return stmt.with_for_update()
    if lock == "share":
        return stmt.with_for_update(read=True)
    return stmt


# ---- (de)serialisation of JSON columns -------------------------------------------------------------

def offer_to_json(offer: JurisdictionOffer) -> dict[str, Any]:
    return {
        "state_owned": offer.state_owned,
        "consigned": dict(offer.consigned),
        "untimely_surrender": offer.untimely_surrender,
        "reintroduced_state_owned": offer.reintroduced_state_owned,
    }


def offers_to_json(offers: Offers) -> dict[str, Any]:
    return {pool.value: {j: offer_to_json(o) for j, o in by_j.items()} for pool, by_j in offers.items()}


def _offers(data: Mapping[Any, Any]) -> Offers:
    return {
        PoolKind(pool): {j: JurisdictionOffer(state_owned=o["state_owned"], consigned=dict(o["consigned"]),
                                              untimely_surrender=o["untimely_surrender"],
                                              reintroduced_state_owned=o["reintroduced_state_owned"])
                         for j, o in by_j.items()}
        for pool, by_j in data.items()
    }


def notice_to_json(notice: Notice) -> dict[str, Any]:
    return {
        "application_instructions": notice.application_instructions,
        "bid_submission": notice.bid_submission,
        "procedures": notice.procedures,
        "administrative_requirements": notice.administrative_requirements,
        "annual_allowances": dict(notice.annual_allowances) if notice.annual_allowances is not None else None,
    }


def rates_to_json(rates: PurchaseLimitRates) -> dict[str, str]:
    return {
        "current_covered_entity": str(rates.current_covered_entity),
        "current_electrical_distribution_utility": str(rates.current_electrical_distribution_utility),
        "current_other": str(rates.current_other),
        "advance": str(rates.advance),
    }


def eligibility_to_json(info: EligibilityInformation) -> dict[str, Any]:
    return {
        "corporate_associations": [{"entity_id": a.entity_id, "kind": a.kind} for a in info.corporate_associations],
        "purchase_limit_share": str(info.purchase_limit_share),
        "holding_limit_share": str(info.holding_limit_share),
        "holding_limit_headroom": info.holding_limit_headroom,
        "investigation_attestation": {
            "has_investigations": info.investigation_attestation.has_investigations,
            "details": info.investigation_attestation.details,
        },
    }


def _eligibility(data: Mapping[Any, Any]) -> EligibilityInformation:
    attestation = data["investigation_attestation"]
    return EligibilityInformation(
        corporate_associations=tuple(CorporateAssociation(a["entity_id"], a["kind"])
                                     for a in data["corporate_associations"]),
        purchase_limit_share=Decimal(data["purchase_limit_share"]),
        holding_limit_share=Decimal(data["holding_limit_share"]),
        holding_limit_headroom=int(data["holding_limit_headroom"]),
        investigation_attestation=InvestigationAttestation(attestation["has_investigations"], attestation["details"]),
    )


def _auction(row: Mapping[Any, Any]) -> Auction:
    notice = row["notice"]
    rates = row["purchase_limit_rates"]
    return Auction(
        id=row["id"],
        jurisdictions=tuple(row["jurisdictions"]),
        auction_date=row["auction_date"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        notice=Notice(
            application_instructions=notice["application_instructions"],
            bid_submission=notice["bid_submission"],
            procedures=notice["procedures"],
            administrative_requirements=notice["administrative_requirements"],
            annual_allowances=notice.get("annual_allowances"),
        ),
        offers=_offers(row["offers"]),
        reserve_prices={j: Decimal(p) for j, p in row["reserve_prices"].items()},
        purchase_limit_rates=PurchaseLimitRates(**{k: Decimal(v) for k, v in rates.items()}),
        published_at=row["published_at"],
        published_by=row["published_by"],
        status=AuctionStatus(row["status"]),
        original_auction_date=row["original_auction_date"],
        delay_minutes=row["delay_minutes"],
        rescheduled=row["rescheduled"],
        exchange_rate=row["exchange_rate"],
        cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"],
        cleared_at=row["cleared_at"],
        certified_at=row["certified_at"],
        certified_by=row["certified_by"],
        certification_note=row["certification_note"],
        payment_due_on=row["payment_due_on"],
    )


def _auction_values(auction: Auction) -> dict[str, Any]:
    return {
        "id": auction.id,
        "jurisdictions": list(auction.jurisdictions),
        "status": auction.status.value,
        "auction_date": auction.auction_date,
        "original_auction_date": auction.original_auction_date or auction.auction_date,
        "opens_at": auction.opens_at,
        "closes_at": auction.closes_at,
        "notice": notice_to_json(auction.notice),
        "offers": offers_to_json(auction.offers),
        "reserve_prices": {j: str(p) for j, p in auction.reserve_prices.items()},
        "purchase_limit_rates": rates_to_json(auction.purchase_limit_rates),
        "exchange_rate": auction.exchange_rate,
        "delay_minutes": auction.delay_minutes,
        "rescheduled": auction.rescheduled,
        "published_at": auction.published_at,
        "published_by": auction.published_by,
        "cancelled_at": auction.cancelled_at,
        "cancel_reason": auction.cancel_reason,
        "cleared_at": auction.cleared_at,
        "certified_at": auction.certified_at,
        "certified_by": auction.certified_by,
        "certification_note": auction.certification_note,
        "payment_due_on": auction.payment_due_on,
    }


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, table: Table, lock: Lock, *where: Any) -> Mapping[Any, Any] | None:
        stmt = _locked(select(table).where(*where), lock)
        return (await self.session.execute(stmt)).mappings().first()


class AuctionRepository(_Repository):
    async def get(self, auction_id: str, *, lock: Lock = None) -> Auction | None:
        row = await self._one(auctions, lock, auctions.c.id == auction_id)
        return None if row is None else _auction(row)

    async def list(self) -> list[Auction]:
        rows = (await self.session.execute(select(auctions).order_by(auctions.c.opens_at))).mappings().all()
        return [_auction(row) for row in rows]

    async def add(self, auction: Auction) -> None:
        await self.session.execute(auctions.insert().values(**_auction_values(auction)))

    async def save(self, auction: Auction) -> None:
        values = _auction_values(auction)
        del values["id"]
        await self.session.execute(
            update(auctions).where(auctions.c.id == auction.id).values(**values, version=auctions.c.version + 1)
        )


def _application(row: Mapping[Any, Any]) -> Application:
    return Application(
        auction_id=row["auction_id"],
        entity_id=row["entity_id"],
        jurisdiction=row["jurisdiction"],
        currency=Currency(row["currency"]),
        intends_to_bid=row["intends_to_bid"],
        info=_eligibility(row["eligibility"]),
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
        status=ApplicationStatus(row["status"]),
        updated_at=row["updated_at"],
        late_change_at=row["late_change_at"],
        review_pending=row["review_pending"],
        eligibility_decided_at=row["eligibility_decided_at"],
        eligibility_decided_by=row["eligibility_decided_by"],
        participation_decided_at=row["participation_decided_at"],
        participation_decided_by=row["participation_decided_by"],
        denial_reason=row["denial_reason"],
        registry_headroom=row["registry_headroom"],
        registry_headroom_at=row["registry_headroom_at"],
    )


def _application_values(a: Application) -> dict[str, Any]:
    return {
        "auction_id": a.auction_id,
        "entity_id": a.entity_id,
        "jurisdiction": a.jurisdiction,
        "currency": a.currency.value,
        "intends_to_bid": a.intends_to_bid,
        "eligibility": eligibility_to_json(a.info),
        "status": a.status.value,
        "submitted_at": a.submitted_at,
        "submitted_by": a.submitted_by,
        "updated_at": a.updated_at,
        "late_change_at": a.late_change_at,
        "review_pending": a.review_pending,
        "eligibility_decided_at": a.eligibility_decided_at,
        "eligibility_decided_by": a.eligibility_decided_by,
        "participation_decided_at": a.participation_decided_at,
        "participation_decided_by": a.participation_decided_by,
        "denial_reason": a.denial_reason,
        "registry_headroom": a.registry_headroom,
        "registry_headroom_at": a.registry_headroom_at,
    }


class ApplicationRepository(_Repository):
    async def get(self, auction_id: str, entity_id: str, *, lock: Lock = None) -> Application | None:
        t = auction_applications
        row = await self._one(t, lock, t.c.auction_id == auction_id, t.c.entity_id == entity_id)
        return None if row is None else _application(row)

    async def list_for(self, auction_id: str, status: ApplicationStatus | None = None) -> list[Application]:
        t = auction_applications
        stmt = select(t).where(t.c.auction_id == auction_id).order_by(t.c.entity_id)
        if status is not None:
            stmt = stmt.where(t.c.status == status.value)
        return [_application(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def add(self, application: Application) -> bool:
        """False when the entity has applied already (a concurrent submission won)."""
        t = auction_applications
        stmt = insert(t).values(**_application_values(application)).on_conflict_do_nothing()
        return (await self.session.execute(stmt.returning(t.c.entity_id))).first() is not None

    async def save(self, application: Application) -> None:
        t = auction_applications
        values = _application_values(application)
        await self.session.execute(
            update(t).where(t.c.auction_id == application.auction_id, t.c.entity_id == application.entity_id)
            .values(**values)
        )


def _bid(row: Mapping[Any, Any]) -> Bid:
    return Bid(
        id=row["id"], auction_id=row["auction_id"], entity_id=row["entity_id"], pool=PoolKind(row["pool"]),
        price=row["price"], currency=Currency(row["currency"]), quantity=row["quantity"],
        placed_by=row["placed_by"], placed_at=row["placed_at"], status=BidStatus(row["status"]),
        updated_at=row["updated_at"], updated_by=row["updated_by"],
    )


def _bid_values(bid: Bid) -> dict[str, Any]:
    return {
        "id": bid.id, "auction_id": bid.auction_id, "entity_id": bid.entity_id, "pool": bid.pool.value,
        "price": bid.price, "currency": bid.currency.value, "quantity": bid.quantity, "status": bid.status.value,
        "placed_by": bid.placed_by, "placed_at": bid.placed_at, "updated_at": bid.updated_at,
        "updated_by": bid.updated_by,
    }


class BidRepository(_Repository):
    async def get(self, bid_id: str, *, lock: Lock = None) -> Bid | None:
        row = await self._one(bids, lock, bids.c.id == bid_id)
        return None if row is None else _bid(row)

    async def for_bidder(self, auction_id: str, entity_id: str) -> list[Bid]:
        stmt = (select(bids).where(bids.c.auction_id == auction_id, bids.c.entity_id == entity_id)
                .order_by(bids.c.placed_at, bids.c.id))
        return [_bid(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def for_auction(self, auction_id: str, *, active_only: bool = False) -> list[Bid]:
        stmt = select(bids).where(bids.c.auction_id == auction_id).order_by(bids.c.entity_id, bids.c.placed_at)
        if active_only:
            stmt = stmt.where(bids.c.status == BidStatus.ACTIVE.value)
        return [_bid(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def add(self, bid: Bid) -> None:
        await self.session.execute(bids.insert().values(**_bid_values(bid)))

    async def save(self, bid: Bid) -> None:
        values = _bid_values(bid)
        del values["id"]
        await self.session.execute(update(bids).where(bids.c.id == bid.id).values(**values))

    async def withdraw_all(self, auction_id: str, by: str, now: datetime) -> int:
        result = await self.session.execute(
            update(bids).where(bids.c.auction_id == auction_id, bids.c.status == BidStatus.ACTIVE.value)
            .values(status=BidStatus.WITHDRAWN.value, updated_at=now, updated_by=by)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class GuaranteeRepository(_Repository):
    async def get(self, auction_id: str, entity_id: str) -> Money | None:
        t = bid_guarantees
        row = await self._one(t, None, t.c.auction_id == auction_id, t.c.entity_id == entity_id)
        return None if row is None else Money(row["amount"], Currency(row["currency"]))

    async def for_auction(self, auction_id: str) -> dict[str, Money]:
        t = bid_guarantees
        rows = (await self.session.execute(select(t).where(t.c.auction_id == auction_id))).mappings().all()
        return {row["entity_id"]: Money(row["amount"], Currency(row["currency"])) for row in rows}

    async def put(self, auction_id: str, entity_id: str, value: Money, accepted_at: datetime, event_id: Any) -> None:
        t = bid_guarantees
        stmt = insert(t).values(auction_id=auction_id, entity_id=entity_id, amount=value.amount,
                                currency=value.currency.value, accepted_at=accepted_at, event_id=event_id)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[t.c.auction_id, t.c.entity_id],
            set_={"amount": stmt.excluded.amount, "currency": stmt.excluded.currency,
                  "accepted_at": stmt.excluded.accepted_at, "event_id": stmt.excluded.event_id},
        ))


class ClearingRepository(_Repository):
    async def get(self, auction_id: str) -> Mapping[Any, Any] | None:
        return await self._one(clearings, None, clearings.c.auction_id == auction_id)

    async def add(self, **values: Any) -> None:
        await self.session.execute(clearings.insert().values(**values))


class ResultsRepository(_Repository):
    async def add_notices(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(winner_notices.insert(), list(rows))

    async def notice(self, auction_id: str, entity_id: str) -> Mapping[Any, Any] | None:
        t = winner_notices
        return await self._one(t, None, t.c.auction_id == auction_id, t.c.entity_id == entity_id)

    async def notices(self, auction_id: str) -> list[Mapping[Any, Any]]:
        t = winner_notices
        stmt = select(t).where(t.c.auction_id == auction_id).order_by(t.c.entity_id)
        return list((await self.session.execute(stmt)).mappings().all())

    async def mark_settled(self, auction_id: str, entity_id: str, paid: Decimal, at: datetime) -> bool:
        t = winner_notices
        result = await self.session.execute(
            update(t).where(t.c.auction_id == auction_id, t.c.entity_id == entity_id)
            .values(settled_at=at, paid_amount=paid)
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_public(self, auction_id: str, document: dict[str, Any], at: datetime) -> None:
        await self.session.execute(public_results.insert().values(auction_id=auction_id, document=document,
                                                                  published_at=at))

    async def public(self, auction_id: str) -> Mapping[Any, Any] | None:
        return await self._one(public_results, None, public_results.c.auction_id == auction_id)

    async def all_public(self, limit: int) -> list[Mapping[Any, Any]]:
        """The latest `limit` published results, oldest first (published after certification only)."""
        t = public_results
        latest = select(t).order_by(t.c.published_at.desc()).limit(limit).subquery()
        stmt = select(latest).order_by(latest.c.published_at)
        return list((await self.session.execute(stmt)).mappings().all())

    async def add_serial_report(self, *, move_id: str, auction_id: str, serials: list[dict[str, Any]],
                                quantity: int, at: datetime) -> bool:
        stmt = insert(serial_reports).values(move_id=move_id, auction_id=auction_id, serials=serials,
                                             quantity=quantity, reported_at=at)
        result = await self.session.execute(stmt.on_conflict_do_nothing().returning(serial_reports.c.move_id))
        return result.first() is not None

    async def serial_reports(self, auction_id: str) -> list[Mapping[Any, Any]]:
        t = serial_reports
        stmt = select(t).where(t.c.auction_id == auction_id).order_by(t.c.reported_at, t.c.move_id)
        return list((await self.session.execute(stmt)).mappings().all())
