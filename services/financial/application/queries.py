"""Read side: what each reader may see of guarantees, invoices, settlement and the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.access import Access
from services.financial.application.guarantees import load_auction
from services.financial.domain.auctions import Auction
from services.financial.domain.errors import GuaranteeNotFound, InvoiceNotFound
from services.financial.domain.guarantees import Guarantee
from services.financial.domain.ledger import CurrencyReconciliation, reconcile
from services.financial.domain.settlement import Invoice
from shared.auth.principal import Principal
from shared.errors import Forbidden


@dataclass(frozen=True)
class GuaranteeSeen:
    guarantee: Guarantee
    amounts_visible: bool


@dataclass(frozen=True)
class InvoiceSeen:
    invoice: Invoice
    payments: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)


async def get_guarantee(guarantee_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> GuaranteeSeen:
    async with uow:
        g = await uow.guarantees.get(guarantee_id)
        if g is None:
            raise GuaranteeNotFound(guarantee_id=guarantee_id)
        auction = await load_auction(uow, g.auction_id)
        access = await Access.of(principal, uow)
        if not access.sees_record(auction.jurisdictions, g.entity_id):
            raise GuaranteeNotFound(guarantee_id=guarantee_id)  # §95912(f): not even its existence
        return GuaranteeSeen(g, access.sees_amounts(auction.jurisdictions, g.entity_id))


async def list_guarantees(auction_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> list[GuaranteeSeen]:
    async with uow:
        auction = await load_auction(uow, auction_id)
        access = await Access.of(principal, uow)
        staff = access.is_staff_viewer(auction.jurisdictions)
        entity_ids = None if staff else sorted(access.represented)
        found = await uow.guarantees.find(auction_id=auction_id, entity_ids=entity_ids)
        return [GuaranteeSeen(g, access.sees_amounts(auction.jurisdictions, g.entity_id)) for g in found]


async def _invoice_seen(uow: FinancialUnitOfWork, invoice: Invoice) -> InvoiceSeen:
    return InvoiceSeen(invoice, await uow.payments.find(invoice.id),
                       await uow.deliveries.find(invoice_ids=[invoice.id]))


async def get_invoice(invoice_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> InvoiceSeen:
    async with uow:
        invoice = await uow.invoices.get(invoice_id)
        if invoice is None:
            raise InvoiceNotFound(invoice_id=invoice_id)
        auction = await load_auction(uow, invoice.auction_id)
        if not (await Access.of(principal, uow)).sees_record(auction.jurisdictions, invoice.entity_id):
            raise InvoiceNotFound(invoice_id=invoice_id)
        return await _invoice_seen(uow, invoice)


async def list_invoices(auction_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> list[InvoiceSeen]:
    async with uow:
        auction = await load_auction(uow, auction_id)
        access = await Access.of(principal, uow)
        entity_ids = None if access.is_staff_viewer(auction.jurisdictions) else sorted(access.represented)
        return [await _invoice_seen(uow, i)
                for i in await uow.invoices.find(auction_id=auction_id, entity_ids=entity_ids)]


@dataclass(frozen=True)
class SettlementView:
    auction: Auction
    invoices: list[Invoice]


async def settlement(auction_id: str, *, principal: Principal, uow: FinancialUnitOfWork) -> SettlementView:
    async with uow:
        auction = await load_auction(uow, auction_id)
        if not (await Access.of(principal, uow)).is_staff_viewer(auction.jurisdictions):
            raise Forbidden("requires the FSA, the auction administrator or the executive officer")
        return SettlementView(auction, await uow.invoices.find(auction_id=auction_id))


@dataclass(frozen=True)
class Reconciliation:
    currencies: dict[str, CurrencyReconciliation]
    subledger: dict[str, dict[str, Any]]
    accounts: list[tuple[str, str, Decimal]] | None  # per-account balances: FSA and auction administrator only

    @property
    def balanced(self) -> bool:
        return all(r.balanced for r in self.currencies.values()) and all(
            s["agrees"] for s in self.subledger.values())


async def reconciliation(*, auction_id: str | None, with_accounts: bool, uow: FinancialUnitOfWork) -> Reconciliation:
    """Every cent accounted for, per currency, and checked against the guarantee and invoice records."""
    async with uow:
        totals = await uow.ledger.totals(auction_id=auction_id)
        currencies = reconcile(totals)
        subledger: dict[str, dict[str, Any]] = {}
        if auction_id is None:
            held = await uow.guarantees.held_totals()
            received = await uow.invoices.received_totals()
            for c in sorted({*currencies, *held, *received}):
                r = currencies.get(c) or CurrencyReconciliation(c)
                cash, drawn = received.get(c, (Decimal(0), Decimal(0)))
                subledger[c] = {
                    "guarantees_held": held.get(c, Decimal(0)), "invoices_paid_cash": cash, "invoices_drawn": drawn,
                    "agrees": (held.get(c, Decimal(0)) == r.guarantees_held and cash == r.cash_received
                               and drawn == r.guarantees_drawn),
                }
        accounts = await uow.ledger.balances(auction_id=auction_id) if with_accounts else None
        return Reconciliation(currencies, subledger, accounts)
