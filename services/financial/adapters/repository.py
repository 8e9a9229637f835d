"""SQLAlchemy repositories: rows <-> domain objects. Queries live here, never in handlers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.financial.adapters.orm import (
    auctions,
    bidders,
    consignor_sales,
    deliveries,
    entity_accounts,
    guarantees,
    invoices,
    ledger_postings,
    ledger_transactions,
    payments,
)
from services.financial.domain.auctions import Auction, AuctionStatus, Certification
from services.financial.domain.guarantees import Bidder, Guarantee, GuaranteeForm, GuaranteeStatus
from services.financial.domain.ledger import LedgerEntry, Total, family
from services.financial.domain.money import Money
from services.financial.domain.settlement import Invoice, InvoiceStatus, Prices


class AuctionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, auction_id: str, *, for_update: bool = False) -> Auction | None:
        stmt = select(auctions).where(auctions.c.auction_id == auction_id)
        row = (await self.session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        return None if row is None else _auction(row)

    async def save(self, auction: Auction, at: datetime) -> None:
        cert = auction.certification
        values: dict[str, Any] = {
            "auction_date": auction.auction_date, "bidding_opens_at": auction.bidding_opens_at,
            "bidding_closes_at": auction.bidding_closes_at, "jurisdictions": auction.jurisdictions,
            "guarantee_deadline": auction.guarantee_deadline, "rescheduled_at": auction.rescheduled_at,
            "status": str(auction.status), "problems": auction.problems, "distributed_at": auction.distributed_at,
            "updated_at": at,
        }
        if cert is not None:
            values |= {
                "certified_at": cert.certified_at, "current_price_usd": cert.prices.current_usd,
                "advance_price_usd": cert.prices.advance_usd, "cad_per_usd": cert.prices.cad_per_usd,
                "payment_due_on": cert.payment_due_on, "holding_accounts": cert.holding_accounts,
                "sold_current": cert.sold_current, "sold_advance": cert.sold_advance,
            }
        stmt = insert(auctions).values(auction_id=auction.auction_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[auctions.c.auction_id], set_=values))


def _auction(row: Any) -> Auction:
    cert = None
    if row["certified_at"] is not None:
        cert = Certification(
            certified_at=row["certified_at"],
            prices=Prices(row["current_price_usd"], row["advance_price_usd"], row["cad_per_usd"]),
            payment_due_on=row["payment_due_on"], holding_accounts=dict(row["holding_accounts"] or {}),
            sold_current=dict(row["sold_current"] or {}), sold_advance=dict(row["sold_advance"] or {}),
        )
    return Auction(
        auction_id=row["auction_id"], auction_date=row["auction_date"], jurisdictions=list(row["jurisdictions"]),
        guarantee_deadline=row["guarantee_deadline"], bidding_opens_at=row["bidding_opens_at"],
        bidding_closes_at=row["bidding_closes_at"], status=AuctionStatus(row["status"]),
        rescheduled_at=row["rescheduled_at"], certification=cert, problems=list(row["problems"]),
        distributed_at=row["distributed_at"],
    )


class BidderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, auction_id: str, entity_id: str) -> Bidder | None:
        row = (await self.session.execute(
            select(bidders).where(bidders.c.auction_id == auction_id, bidders.c.entity_id == entity_id)
        )).mappings().first()
        return None if row is None else Bidder(row["entity_id"], row["jurisdiction"], row["currency"])

    async def upsert(self, auction_id: str, bidder: Bidder, at: datetime) -> None:
        values = {"jurisdiction": bidder.jurisdiction, "currency": bidder.currency, "approved_at": at}
        stmt = insert(bidders).values(auction_id=auction_id, entity_id=bidder.entity_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[bidders.c.auction_id, bidders.c.entity_id], set_=values))


class ConsignorSaleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, auction_id: str, entity_id: str, quantity: int, proceeds: Money) -> None:
        await self.session.execute(insert(consignor_sales).values(
            auction_id=auction_id, entity_id=entity_id, quantity=quantity, proceeds=proceeds.amount,
            currency=str(proceeds.currency)).on_conflict_do_nothing())

    async def find(self, auction_id: str) -> list[tuple[str, Money]]:
        rows = (await self.session.execute(
            select(consignor_sales).where(consignor_sales.c.auction_id == auction_id)
        )).mappings().all()
        return [(r["entity_id"], Money(r["proceeds"], r["currency"])) for r in rows]


_GUARANTEE_FIELDS = (
    "entity_id", "auction_id", "jurisdiction", "expires_on", "issuer", "instrument_reference", "drawn",
    "returned", "multi_auction", "amends", "submitted_by", "submitted_at", "evaluated_by", "evaluated_at",
    "evaluation_note", "accepted_by", "accepted_at", "closed_at",
)


class GuaranteeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _values(g: Guarantee) -> dict[str, Any]:
        values = {name: getattr(g, name) for name in _GUARANTEE_FIELDS}
        return values | {"form": str(g.form), "amount": g.amount.amount, "currency": str(g.currency),
                         "status": str(g.status)}

    async def add(self, g: Guarantee) -> None:
        await self.session.execute(guarantees.insert().values(id=g.id, **self._values(g)))

    async def save(self, g: Guarantee) -> None:
        await self.session.execute(update(guarantees).where(guarantees.c.id == g.id).values(**self._values(g)))

    async def get(self, guarantee_id: str, *, for_update: bool = False) -> Guarantee | None:
        stmt = select(guarantees).where(guarantees.c.id == guarantee_id)
        row = (await self.session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        return None if row is None else _guarantee(row)

    async def find(self, *, auction_id: str | None = None, entity_ids: Iterable[str] | None = None,
                   statuses: Iterable[GuaranteeStatus] | None = None, for_update: bool = False) -> list[Guarantee]:
        stmt = select(guarantees).order_by(guarantees.c.submitted_at, guarantees.c.id)
        if auction_id is not None:
            stmt = stmt.where(guarantees.c.auction_id == auction_id)
        if entity_ids is not None:
            stmt = stmt.where(guarantees.c.entity_id.in_(list(entity_ids)))
        if statuses is not None:
            stmt = stmt.where(guarantees.c.status.in_([str(s) for s in statuses]))
        if for_update:
            stmt = stmt.with_for_update()
        return [_guarantee(r) for r in (await self.session.execute(stmt)).mappings().all()]

    async def held_totals(self) -> dict[str, Decimal]:
        """Per currency, what received guarantees still hold (amount - drawn - returned): the sub-ledger."""
        held = guarantees.c.amount - guarantees.c.drawn - guarantees.c.returned
        rows = (await self.session.execute(
            select(guarantees.c.currency, func.sum(held)).where(guarantees.c.evaluated_at.is_not(None))
            .group_by(guarantees.c.currency)
        )).all()
        return {c: Decimal(v) for c, v in rows}


def _guarantee(row: Any) -> Guarantee:
    return Guarantee(
        id=row["id"], form=GuaranteeForm(row["form"]), amount=Money(row["amount"], row["currency"]),
        status=GuaranteeStatus(row["status"]), **{name: row[name] for name in _GUARANTEE_FIELDS},
    )


_INVOICE_FIELDS = (
    "auction_id", "entity_id", "current_quantity", "advance_quantity", "destination_account", "due_on",
    "issued_at", "paid_cash", "drawn", "overpaid", "closed_at",
)


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _values(i: Invoice) -> dict[str, Any]:
        values = {name: getattr(i, name) for name in _INVOICE_FIELDS}
        return values | {"amount": i.amount.amount, "currency": str(i.currency),
                         "certified_cost": i.certified_cost.amount, "status": str(i.status)}

    async def add(self, invoice: Invoice) -> bool:
        """Insert; False if this auction already has an invoice for the entity (a re-certification)."""
        result = await self.session.execute(
            insert(invoices).values(id=invoice.id, **self._values(invoice)).on_conflict_do_nothing()
            .returning(invoices.c.id))
        return result.first() is not None

    async def save(self, invoice: Invoice) -> None:
        await self.session.execute(update(invoices).where(invoices.c.id == invoice.id).values(**self._values(invoice)))

    async def get(self, invoice_id: str, *, for_update: bool = False) -> Invoice | None:
        stmt = select(invoices).where(invoices.c.id == invoice_id)
        row = (await self.session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        return None if row is None else _invoice(row)

    async def find(self, *, auction_id: str | None = None, entity_ids: Iterable[str] | None = None) -> list[Invoice]:
        stmt = select(invoices).order_by(invoices.c.auction_id, invoices.c.entity_id)
        if auction_id is not None:
            stmt = stmt.where(invoices.c.auction_id == auction_id)
        if entity_ids is not None:
            stmt = stmt.where(invoices.c.entity_id.in_(list(entity_ids)))
        return [_invoice(r) for r in (await self.session.execute(stmt)).mappings().all()]

    async def overdue_ids(self, today: date) -> list[str]:
        stmt = select(invoices.c.id).where(invoices.c.status == "open", invoices.c.due_on < today)
        return list((await self.session.execute(stmt.order_by(invoices.c.id))).scalars())

    async def received_totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency, (cash applied, guarantees drawn) over every invoice: the sub-ledger."""
        rows = (await self.session.execute(
            select(invoices.c.currency, func.sum(invoices.c.paid_cash), func.sum(invoices.c.drawn))
            .group_by(invoices.c.currency))).all()
        return {c: (Decimal(p), Decimal(d)) for c, p, d in rows}


def _invoice(row: Any) -> Invoice:
    return Invoice(
        id=row["id"], amount=Money(row["amount"], row["currency"]),
        certified_cost=Money(row["certified_cost"], row["currency"]), status=InvoiceStatus(row["status"]),
        **{name: row[name] for name in _INVOICE_FIELDS},
    )


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> bool:
        """Insert; False when the wire reference is already recorded."""
        result = await self.session.execute(
            insert(payments).values(**values).on_conflict_do_nothing(index_elements=[payments.c.wire_reference])
            .returning(payments.c.id))
        return result.first() is not None

    async def find(self, invoice_id: str) -> list[dict[str, Any]]:
        stmt = select(payments).where(payments.c.invoice_id == invoice_id).order_by(payments.c.recorded_at)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings().all()]


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(deliveries.insert().values(**values))

    async def get(self, request_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        stmt = select(deliveries).where(deliveries.c.request_id == request_id)
        row = (await self.session.execute(stmt.with_for_update() if for_update else stmt)).mappings().first()
        return None if row is None else dict(row)

    async def update(self, request_id: str, **values: Any) -> None:
        await self.session.execute(update(deliveries).where(deliveries.c.request_id == request_id).values(**values))

    async def find(self, *, invoice_ids: Iterable[str]) -> list[dict[str, Any]]:
        stmt = (select(deliveries).where(deliveries.c.invoice_id.in_(list(invoice_ids)))
                .order_by(deliveries.c.requested_at, deliveries.c.request_id))
        return [dict(r) for r in (await self.session.execute(stmt)).mappings().all()]


class AccountRepository:
    """Accounts and representatives learned from registry.AccountChanged (last write wins)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, *, account_number: str, changed_at: datetime, **values: Any) -> None:
        stmt = insert(entity_accounts).values(account_number=account_number, changed_at=changed_at, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[entity_accounts.c.account_number],
            set_={**values, "changed_at": changed_at},
            where=entity_accounts.c.changed_at <= stmt.excluded.changed_at,
        ))

    async def entities_represented(self, individual_id: str, roles: Iterable[str]) -> set[str]:
        """Entities of whose accounts the individual is a representative in one of `roles` (§95832)."""
        wanted = [{"individual_id": individual_id, "role": role} for role in roles]
        contains = [entity_accounts.c.representatives.contains([w]) for w in wanted]
        if not contains:
            return set()
        stmt = select(entity_accounts.c.entity_id).where(entity_accounts.c.entity_id.is_not(None), or_(*contains))
        return {r for r in (await self.session.execute(stmt.distinct())).scalars()}

    async def account_of_type(self, entity_id: str, account_type: str) -> str | None:
        stmt = select(entity_accounts.c.account_number).where(
            entity_accounts.c.entity_id == entity_id, entity_accounts.c.account_type == account_type,
        ).order_by(entity_accounts.c.account_number)
        return (await self.session.execute(stmt.limit(1))).scalar()


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def post(self, *entries: LedgerEntry, at: datetime) -> None:
        for e in entries:
            tx_id = (await self.session.execute(
                ledger_transactions.insert().values(
                    kind=str(e.kind), currency=str(e.currency), auction_id=e.auction_id, entity_id=e.entity_id,
                    guarantee_id=e.guarantee_id, invoice_id=e.invoice_id, reference=e.reference, memo=e.memo,
                    occurred_at=at,
                ).returning(ledger_transactions.c.id)
            )).scalar_one()
            await self.session.execute(ledger_postings.insert(), [
                {"transaction_id": tx_id, "account": p.account, "amount": p.amount} for p in e.postings
            ])

    async def totals(self, *, auction_id: str | None = None) -> list[Total]:
        """Sums of debits and credits per (currency, kind, account), families folded in Python."""
        t, p = ledger_transactions, ledger_postings
        debit = func.sum(case((p.c.amount > 0, p.c.amount), else_=0))
        credit = func.sum(case((p.c.amount < 0, -p.c.amount), else_=0))
        stmt = (select(t.c.currency, t.c.kind, p.c.account, debit, credit)
                .join(p, p.c.transaction_id == t.c.id).group_by(t.c.currency, t.c.kind, p.c.account))
        if auction_id is not None:
            stmt = stmt.where(t.c.auction_id == auction_id)
        rows = await self.session.execute(stmt)
        return [Total(c, k, family(a), Decimal(d), Decimal(cr)) for c, k, a, d, cr in rows]

    async def balances(self, *, auction_id: str | None = None) -> list[tuple[str, str, Decimal]]:
        """(currency, account, balance) for every account that moved: the trial balance."""
        t, p = ledger_transactions, ledger_postings
        stmt = (select(t.c.currency, p.c.account, func.sum(p.c.amount)).join(p, p.c.transaction_id == t.c.id)
                .group_by(t.c.currency, p.c.account).order_by(t.c.currency, p.c.account))
        if auction_id is not None:
            stmt = stmt.where(t.c.auction_id == auction_id)
        return [(c, a, Decimal(v)) for c, a, v in (await self.session.execute(stmt))]
