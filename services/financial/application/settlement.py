"""Settlement after certification (§95912(i)): invoices, payments, draws, deliveries, distribution.

Every path that can close an invoice locks the auction row first, then the invoice: closings of
one auction are serialised, so exactly one of them sees the last invoice closed and distributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.access import Access
from services.financial.application.guarantees import UNSETTLED, after_auction, load_auction
from services.financial.application.policy import FinancialPolicy, new_id
from services.financial.domain import ledger
from services.financial.domain.auctions import Auction, AuctionStatus, Certification
from services.financial.domain.errors import (
    AuctionNotCertified,
    DistributionShortfall,
    DuplicatePayment,
    InvoiceNotFound,
)
from services.financial.domain.guarantees import GuaranteeStatus, plan_draws
from services.financial.domain.money import Currency, Money, parse_amount
from services.financial.domain.settlement import (
    AwardLine,
    DeliveryPlan,
    Invoice,
    InvoiceStatus,
    Prices,
    award_cost,
    jurisdiction_values,
    plan_deliveries,
    plan_distribution,
)
from shared.auth.principal import Principal
from shared.contracts.auction import AuctionCertified
from shared.contracts.auction import Money as MoneyContract
from shared.contracts.financial import WinnerDefaulted, WinnerSettled
from shared.contracts.registry import ExecuteMove, InstrumentSpec


def _contract(money: Money) -> MoneyContract:
    return MoneyContract(amount=str(money.amount), currency=money.currency.value)


# ---- certification: one invoice per winner (§95912(i)(2)-(3)) -------------------------------------

async def on_certified(event: AuctionCertified, *, uow: FinancialUnitOfWork, policy: FinancialPolicy) -> None:
    """Issue the invoices; give back the guarantees of bidders who won nothing (§95912(i)(3)(E)-(G))."""
    now = uow.clock.now()
    auction = await uow.auctions.get(event.auction_id, for_update=True)
    if auction is None:  # certified without a notice we saw: settle anyway, and say so
        auction = Auction(event.auction_id, event.certified_at.date(), sorted(event.sold_by_jurisdiction),
                          event.certified_at.date(), problems=["certified before any notice was received"])
    if auction.certification is not None:
        await uow.audit("auction.certification_repeated", auction.auction_id, {"ignored": True})
        return
    advance = {j: int(q) for j, q in event.sold_by_jurisdiction_advance.items()}
    current = {j: int(q) - advance.get(j, 0) for j, q in event.sold_by_jurisdiction.items()}
    prices = Prices(
        parse_amount(event.current_settlement_price_usd, name="current_settlement_price_usd"),
        None if event.advance_settlement_price_usd is None
        else parse_amount(event.advance_settlement_price_usd, name="advance_settlement_price_usd"),
        Decimal(event.exchange_rate_cad_per_usd),
    )
    auction.certification = Certification(event.certified_at, prices, event.payment_due_on,
                                          dict(event.auction_holding_accounts), current, advance)
    auction.status = AuctionStatus.CERTIFIED
    winners: list[Invoice] = []
    for award in event.awards:
        if award.current_quantity + award.advance_quantity == 0:
            continue
        amount = award_cost(award.current_quantity, award.advance_quantity, prices, award.currency)
        certified = Money(parse_amount(award.cost.amount, name="cost"), Currency(award.cost.currency))
        invoice = Invoice(
            id=new_id("inv"), auction_id=auction.auction_id, entity_id=award.entity_id, amount=amount,
            current_quantity=award.current_quantity, advance_quantity=award.advance_quantity,
            destination_account=award.destination_account, due_on=event.payment_due_on, issued_at=now,
            certified_cost=certified,
        )
        if invoice.cost_discrepancy:
            auction.problems.append(f"{award.entity_id}: certified cost {certified} differs from "
                                    f"settlement price x quantity {amount}; invoiced {amount}")
        if await uow.invoices.add(invoice):
            winners.append(invoice)
            await uow.audit("invoice.issued", invoice.id, {
                "auction_id": auction.auction_id, "entity_id": invoice.entity_id, "amount": str(amount.amount),
                "currency": str(amount.currency), "due_on": invoice.due_on.isoformat()})
    try:
        _delivery_plan(auction, winners, policy)
    except ValueError as exc:
        auction.problems.append(f"deliveries cannot be planned: {exc}")
    for sale in event.consignor_sales:
        proceeds = Money(parse_amount(sale.proceeds.amount, name="proceeds"), Currency(sale.proceeds.currency))
        await uow.consignor_sales.add(auction.auction_id, sale.entity_id, sale.quantity, proceeds)
    won = {i.entity_id for i in winners}
    for g in await uow.guarantees.find(auction_id=auction.auction_id, statuses=UNSETTLED, for_update=True):
        if g.entity_id not in won:
            await after_auction(uow, g, now, why="no allowances won")
    await uow.auctions.save(auction, now)
    await uow.audit("auction.certified", auction.auction_id, {
        "invoices": len(winners), "payment_due_on": event.payment_due_on.isoformat(), "problems": auction.problems})
    await maybe_distribute(uow, auction, policy, now)


def _delivery_plan(auction: Auction, invoices: list[Invoice], policy: FinancialPolicy) -> dict[str, list[DeliveryPlan]]:
    cert = _certified(auction)
    year = auction.auction_date.year
    awards = [AwardLine(i.entity_id, i.current_quantity, i.advance_quantity) for i in invoices]
    return plan_deliveries(awards, cert.sold_current, cert.sold_advance, current_vintage=year,
                           advance_vintage=year + policy.advance_vintage_offset)


def _certified(auction: Auction) -> Certification:
    if auction.certification is None:
        raise AuctionNotCertified(auction_id=auction.auction_id)
    return auction.certification


# ---- payments (§95912(i)(3)(A)) ----------------------------------------------------------------------

@dataclass(frozen=True)
class RecordPayment:
    invoice_id: str
    amount: str
    currency: str
    wire_reference: str
    received_on: date | None = None


async def _lock(uow: FinancialUnitOfWork, invoice_id: str) -> tuple[Auction, Invoice]:
    found = await uow.invoices.get(invoice_id)
    if found is None:
        raise InvoiceNotFound(invoice_id=invoice_id)
    auction = await load_auction(uow, found.auction_id, for_update=True)
    invoice = await uow.invoices.get(invoice_id, for_update=True)
    assert invoice is not None
    return auction, invoice


async def record_payment(cmd: RecordPayment, *, principal: Principal, uow: FinancialUnitOfWork,
                         policy: FinancialPolicy) -> Invoice:
    """The FSA records a wire received from a winner; a full payment closes the invoice."""
    async with uow:
        now = uow.clock.now()
        auction, invoice = await _lock(uow, cmd.invoice_id)
        access = await Access.of(principal, uow)
        if not access.sees_record(auction.jurisdictions, invoice.entity_id):
            raise InvoiceNotFound(invoice_id=cmd.invoice_id)
        access.require_fsa(auction.jurisdictions)
        money = Money(parse_amount(cmd.amount), Currency(cmd.currency))
        was_open = invoice.status is InvoiceStatus.OPEN
        applied, excess = invoice.receive(money, now)
        if not await uow.payments.add(
            id=new_id("pay"), invoice_id=invoice.id, amount=money.amount, currency=str(money.currency),
            applied=applied.amount, excess=excess.amount, wire_reference=cmd.wire_reference,
            received_on=cmd.received_on or policy.today(now), recorded_by=principal.subject, recorded_at=now,
        ):
            raise DuplicatePayment(wire_reference=cmd.wire_reference)
        refs = {"auction_id": auction.auction_id, "invoice_id": invoice.id, "reference": cmd.wire_reference}
        await uow.ledger.post(ledger.payment_received(invoice.entity_id, applied, excess, **refs), at=now)
        if not was_open and excess.is_positive:  # the invoice was already closed: give it straight back
            await uow.ledger.post(ledger.refund_paid(invoice.entity_id, excess, **refs), at=now)
        await uow.audit("payment.recorded", invoice.id, {
            "amount": str(money.amount), "currency": str(money.currency), "applied": str(applied.amount),
            "excess": str(excess.amount), "wire_reference": cmd.wire_reference})
        await uow.invoices.save(invoice)
        if was_open and invoice.status is not InvoiceStatus.OPEN:
            await close_invoice(uow, auction, invoice, policy, now)
        await uow.commit()
        return invoice


# ---- the deadline: draw on the guarantee (§95912(i)(3)(B), (h)(9)) --------------------------------

@dataclass(frozen=True)
class DrawResult:
    invoice_id: str
    auction_id: str
    entity_id: str
    status: str
    drawn: Money


async def draw_overdue(invoice_id: str, *, uow: FinancialUnitOfWork, policy: FinancialPolicy) -> DrawResult | None:
    """Unpaid seven days after notification: draw cash, then letters of credit, then bonds."""
    async with uow:
        now = uow.clock.now()
        today = policy.today(now)
        auction, invoice = await _lock(uow, invoice_id)
        if not invoice.is_overdue(today):
            return None
        held = await uow.guarantees.find(auction_id=auction.auction_id, entity_ids=[invoice.entity_id],
                                         statuses=[GuaranteeStatus.ACCEPTED], for_update=True)
        drawn = Money.zero(invoice.currency)
        for g, money in plan_draws(held, invoice.outstanding, today):
            g.draw(money)
            invoice.apply_draw(money)
            drawn = drawn + money
            await uow.ledger.post(ledger.guarantee_drawn(
                g.entity_id, g.form, money, auction_id=auction.auction_id, guarantee_id=g.id, invoice_id=invoice.id,
            ), at=now)
            await uow.guarantees.save(g)
            await uow.audit("guarantee.drawn", g.id, {"invoice_id": invoice.id, "form": str(g.form),
                                                      "amount": str(money.amount), "currency": str(money.currency)})
        invoice.close_after_draws(now)
        await uow.invoices.save(invoice)
        await close_invoice(uow, auction, invoice, policy, now)
        await uow.commit()
        return DrawResult(invoice.id, auction.auction_id, invoice.entity_id, str(invoice.status), drawn)


async def run_deadlines(uow_factory: Callable[[], FinancialUnitOfWork], policy: FinancialPolicy) -> list[DrawResult]:
    """The deadline job: every overdue invoice, each in its own transaction."""
    uow = uow_factory()
    async with uow:
        ids = await uow.invoices.overdue_ids(policy.today(uow.clock.now()))
    results = []
    for invoice_id in ids:
        result = await draw_overdue(invoice_id, uow=uow_factory(), policy=policy)
        if result is not None:
            results.append(result)
    return results


# ---- closing an invoice ------------------------------------------------------------------------------

async def close_invoice(uow: FinancialUnitOfWork, auction: Auction, invoice: Invoice, policy: FinancialPolicy,
                        at: datetime) -> None:
    """Refund overpayments, give back guarantees, deliver the allowances, and maybe distribute.

    The caller has saved the closed invoice (distribution reads every invoice of the auction).
    """
    refs = {"auction_id": auction.auction_id, "invoice_id": invoice.id}
    if invoice.overpaid > 0:
        await uow.ledger.post(ledger.refund_paid(invoice.entity_id, Money(invoice.overpaid, invoice.currency),
                                                 **refs), at=at)
    for g in await uow.guarantees.find(auction_id=auction.auction_id, entity_ids=[invoice.entity_id],
                                       statuses=UNSETTLED, for_update=True):
        await after_auction(uow, g, at, why=f"invoice {invoice.id} {invoice.status}")
    drawn = Money(invoice.drawn, invoice.currency)
    if invoice.status is InvoiceStatus.PAID:
        await _deliver(uow, auction, invoice, policy, at)
        await uow.publish(WinnerSettled(
            auction_id=auction.auction_id, entity_id=invoice.entity_id, paid=_contract(invoice.received),
            guarantee_drawn=_contract(drawn) if drawn.is_positive else None, settled_at=at,
        ))
    else:
        await uow.publish(WinnerDefaulted(
            auction_id=auction.auction_id, entity_id=invoice.entity_id, unpaid=_contract(invoice.outstanding),
            guarantee_drawn=_contract(drawn) if drawn.is_positive else None, defaulted_at=at,
        ))
    await uow.audit(f"invoice.{invoice.status}", invoice.id, {
        "paid_cash": str(invoice.paid_cash), "drawn": str(invoice.drawn), "overpaid": str(invoice.overpaid)})
    await maybe_distribute(uow, auction, policy, at)


# ---- delivery of allowances (§95912(i)(4)) ---------------------------------------------------------

async def _deliver(uow: FinancialUnitOfWork, auction: Auction, invoice: Invoice, policy: FinancialPolicy,
                   at: datetime) -> None:
    cert = _certified(auction)
    invoices = await uow.invoices.find(auction_id=auction.auction_id)
    try:
        plan = _delivery_plan(auction, invoices, policy).get(invoice.entity_id, [])
    except ValueError as exc:
        await uow.audit("delivery.not_planned", invoice.id, {"reason": str(exc)})
        return
    for line in plan:
        source = cert.holding_accounts.get(line.jurisdiction)
        if source is None:
            await uow.audit("delivery.not_planned", invoice.id,
                            {"reason": f"no auction holding account for {line.jurisdiction}"})
            continue
        await request_move(uow, invoice=invoice, auction_id=auction.auction_id, jurisdiction=line.jurisdiction,
                           pool=str(line.pool), vintage=line.vintage, quantity=line.quantity, source=source,
                           destination=invoice.destination_account, at=at)


async def request_move(uow: FinancialUnitOfWork, *, invoice: Invoice, auction_id: str, jurisdiction: str, pool: str,
                       vintage: int | None, quantity: int, source: str, destination: str, at: datetime,
                       retry_of: str | None = None) -> str:
    """Ask the registry to move the allowances (a ledger command through the outbox)."""
    request_id = new_id("fin-mv")
    await uow.deliveries.add(
        request_id=request_id, invoice_id=invoice.id, auction_id=auction_id, entity_id=invoice.entity_id,
        jurisdiction=jurisdiction, pool=pool, vintage=vintage, quantity=quantity, source_account=source,
        destination_account=destination, status="requested", retry_of=retry_of, requested_at=at, updated_at=at,
    )
    await uow.publish(ExecuteMove(
        request_id=request_id, requested_by="financial", source_account=source, destination_account=destination,
        instrument=InstrumentSpec(instrument_type="allowance", jurisdiction=jurisdiction, vintage=vintage),
        quantity=quantity, check_holding_limit=True, reason="auction_award", reference=auction_id,
    ))
    await uow.audit("delivery.requested", request_id, {
        "invoice_id": invoice.id, "jurisdiction": jurisdiction, "pool": pool, "vintage": vintage,
        "quantity": quantity, "source": source, "destination": destination, "retry_of": retry_of})
    return request_id


# ---- distribution of proceeds (§95912(i)(3)(B)-(D)) ------------------------------------------------

async def maybe_distribute(uow: FinancialUnitOfWork, auction: Auction, policy: FinancialPolicy, at: datetime) -> bool:
    """Once every invoice is closed, remit the proceeds: consignors, partner jurisdictions, the GGRF."""
    if auction.status is not AuctionStatus.CERTIFIED:
        return False
    cert = _certified(auction)
    invoices = await uow.invoices.find(auction_id=auction.auction_id)
    if any(i.status is InvoiceStatus.OPEN for i in invoices):
        return False
    receipts: dict[Currency, int] = {}
    for i in invoices:
        receipts[i.currency] = receipts.get(i.currency, 0) + i.received.cents
    values = jurisdiction_values(cert.sold_current, cert.sold_advance, cert.prices)
    residual = policy.residual_jurisdiction if policy.residual_jurisdiction in values else min(values, default="")
    try:
        plan = plan_distribution(
            receipts=receipts, consignors=await uow.consignor_sales.find(auction.auction_id), values_usd=values,
            payees=policy.payees, residual=residual, cad_per_usd=cert.prices.cad_per_usd,
        ) if values else None
    except (DistributionShortfall, KeyError) as exc:
        auction.problems.append(f"proceeds not distributed: {exc!r}")
        await uow.auctions.save(auction, at)
        await uow.audit("auction.distribution_blocked", auction.auction_id, {"reason": repr(exc)})
        return False
    if plan is not None:
        for n, trade in enumerate(plan.trades):
            await uow.ledger.post(*ledger.fx_conversion(
                trade.sold, trade.bought, auction_id=auction.auction_id, reference=f"fx:{auction.auction_id}:{n}",
            ), at=at)
        for currency, payouts in sorted(plan.payouts.items()):
            if any(cents for _, cents in payouts):
                await uow.ledger.post(ledger.proceeds_distributed(currency, payouts, auction_id=auction.auction_id),
                                      at=at)
    auction.status, auction.distributed_at = AuctionStatus.DISTRIBUTED, at
    await uow.auctions.save(auction, at)
    await uow.audit("auction.proceeds_distributed", auction.auction_id, {
        "receipts": {str(c): str(Money.from_cents(v, c).amount) for c, v in receipts.items()},
        "payouts": {str(c): [[a, str(Money.from_cents(v, c).amount)] for a, v in p]
                    for c, p in (plan.payouts.items() if plan else [])},
        "fx": [[str(t.sold), str(t.bought)] for t in (plan.trades if plan else ())],
    })
    return True
