"""Request and response bodies of the financial API. Money travels as decimal strings, never floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.financial.application.guarantees import GuaranteeTerms
from services.financial.application.queries import GuaranteeSeen, InvoiceSeen, Reconciliation, SettlementView
from services.financial.domain.guarantees import GuaranteeForm

AMOUNT = r"^\d{1,16}(\.\d{1,2})?$"
Amount = Field(pattern=AMOUNT, description="decimal string, whole cents, e.g. \"1250000.00\"")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GuaranteeTermsIn(_In):
    form: GuaranteeForm
    amount: str = Amount
    currency: Literal["USD", "CAD"]
    expires_on: date | None = None
    issuer: str | None = Field(default=None, max_length=200)
    instrument_reference: str | None = Field(default=None, max_length=200)

    def terms(self) -> GuaranteeTerms:
        return GuaranteeTerms(self.form, self.amount, self.currency, self.expires_on, self.issuer,
                              self.instrument_reference)


class GuaranteeIn(GuaranteeTermsIn):
    entity_id: str = Field(min_length=1, max_length=64)


class EvaluationIn(_In):
    conforming: bool
    note: str | None = Field(default=None, max_length=2000)


class DecisionIn(_In):
    accept: bool
    note: str | None = Field(default=None, max_length=2000)


class CarryOverIn(_In):
    auction_id: str = Field(min_length=1, max_length=64)


class PaymentIn(_In):
    amount: str = Amount
    currency: Literal["USD", "CAD"]
    wire_reference: str = Field(min_length=1, max_length=200)
    received_on: date | None = None


class RetryIn(_In):
    destination_account: str | None = Field(default=None, min_length=1, max_length=64)
    any_vintage: bool = False


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class GuaranteeOut(BaseModel):
    id: str
    auction_id: str
    entity_id: str
    jurisdiction: str
    form: str
    currency: str
    status: str
    amounts_withheld: bool
    amount: str | None
    held: str | None
    drawn: str | None
    returned: str | None
    expires_on: date | None
    issuer: str | None
    instrument_reference: str | None
    multi_auction: bool
    amends: str | None
    submitted_at: datetime
    evaluated_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, seen: GuaranteeSeen) -> GuaranteeOut:
        g, show = seen.guarantee, seen.amounts_visible
        return cls(
            id=g.id, auction_id=g.auction_id, entity_id=g.entity_id, jurisdiction=g.jurisdiction, form=str(g.form),
            currency=str(g.currency), status=str(g.status), amounts_withheld=not show,
            amount=_s(g.amount.amount) if show else None, held=_s(g.held.amount) if show else None,
            drawn=_s(g.drawn) if show else None, returned=_s(g.returned) if show else None,
            expires_on=g.expires_on, issuer=g.issuer, instrument_reference=g.instrument_reference,
            multi_auction=g.multi_auction, amends=g.amends, submitted_at=g.submitted_at,
            evaluated_at=g.evaluated_at, accepted_at=g.accepted_at, closed_at=g.closed_at,
        )


class PaymentOut(BaseModel):
    id: str
    amount: str
    currency: str
    applied: str
    excess: str
    wire_reference: str
    received_on: date
    recorded_at: datetime


class DeliveryOut(BaseModel):
    request_id: str
    jurisdiction: str
    pool: str
    vintage: int | None
    quantity: int
    source_account: str
    destination_account: str
    status: str
    move_id: str | None
    refusal_code: str | None
    retry_of: str | None


class InvoiceOut(BaseModel):
    id: str
    auction_id: str
    entity_id: str
    currency: str
    amount: str
    outstanding: str
    paid_cash: str
    drawn: str
    overpaid: str
    current_quantity: int
    advance_quantity: int
    destination_account: str
    due_on: date
    status: str
    cost_discrepancy: bool
    payments: list[PaymentOut]
    deliveries: list[DeliveryOut]

    @classmethod
    def of(cls, seen: InvoiceSeen) -> InvoiceOut:
        i = seen.invoice
        return cls(
            id=i.id, auction_id=i.auction_id, entity_id=i.entity_id, currency=str(i.currency),
            amount=str(i.amount.amount), outstanding=str(i.outstanding.amount), paid_cash=str(i.paid_cash),
            drawn=str(i.drawn), overpaid=str(i.overpaid), current_quantity=i.current_quantity,
            advance_quantity=i.advance_quantity, destination_account=i.destination_account, due_on=i.due_on,
            status=str(i.status), cost_discrepancy=i.cost_discrepancy,
            payments=[PaymentOut.model_validate({k: (str(v) if isinstance(v, Decimal) else v) for k, v in p.items()
                                                 if k in PaymentOut.model_fields}) for p in seen.payments],
            deliveries=[DeliveryOut.model_validate({k: v for k, v in d.items() if k in DeliveryOut.model_fields})
                        for d in seen.deliveries],
        )


class InvoiceSummary(BaseModel):
    id: str
    entity_id: str
    currency: str
    amount: str
    outstanding: str
    status: str


class SettlementOut(BaseModel):
    auction_id: str
    status: str
    auction_date: date
    rescheduled: bool
    certified_at: datetime | None
    payment_due_on: date | None
    current_settlement_price_usd: str | None
    advance_settlement_price_usd: str | None
    exchange_rate_cad_per_usd: str | None
    distributed_at: datetime | None
    problems: list[str]
    invoices: list[InvoiceSummary]

    @classmethod
    def of(cls, view: SettlementView) -> SettlementOut:
        a, cert = view.auction, view.auction.certification
        return cls(
            auction_id=a.auction_id, status=str(a.status), auction_date=a.auction_date,
            rescheduled=a.rescheduled_at is not None, certified_at=cert.certified_at if cert else None,
            payment_due_on=cert.payment_due_on if cert else None,
            current_settlement_price_usd=_s(cert.prices.current_usd) if cert else None,
            advance_settlement_price_usd=_s(cert.prices.advance_usd) if cert else None,
            exchange_rate_cad_per_usd=_s(cert.prices.cad_per_usd) if cert else None,
            distributed_at=a.distributed_at, problems=a.problems,
            invoices=[InvoiceSummary(id=i.id, entity_id=i.entity_id, currency=str(i.currency),
                                     amount=str(i.amount.amount), outstanding=str(i.outstanding.amount),
                                     status=str(i.status)) for i in view.invoices],
        )


class DrawOut(BaseModel):
    invoice_id: str
    auction_id: str
    entity_id: str
    status: str
    drawn: str
    currency: str


class ReconciliationOut(BaseModel):
    auction_id: str | None
    balanced: bool
    currencies: dict[str, dict[str, Any]]
    subledger: dict[str, dict[str, Any]]
    accounts: list[dict[str, str]] | None

    @classmethod
    def of(cls, auction_id: str | None, r: Reconciliation) -> ReconciliationOut:
        currencies = {
            c: {
                "guarantees": {
                    "received": str(x.guarantees_received), "drawn": str(x.guarantees_drawn),
                    "returned": str(x.guarantees_returned), "held": str(x.guarantees_held),
                    "in_custody": str(x.guarantees_in_custody), "balanced": x.guarantees_balanced,
                },
                "proceeds": {
                    "cash_received": str(x.cash_received), "guarantees_drawn": str(x.drawn_proceeds),
                    "converted_in": str(x.fx_in), "converted_out": str(x.fx_out),
                    "paid_out": {k: str(v) for k, v in sorted(x.paid_out.items())},
                    "paid_out_total": str(x.paid_out_total), "undistributed": str(x.undistributed),
                    "balanced": x.proceeds_balanced,
                },
                "refunds": {"overpayments_received": str(x.overpayments_received), "paid": str(x.refunds_paid),
                            "outstanding": str(x.refunds_outstanding)},
                "trial_balance": str(x.trial_balance),
                "balanced": x.balanced,
            }
            for c, x in sorted(r.currencies.items())
        }
        subledger = {c: {k: (str(v) if isinstance(v, Decimal) else v) for k, v in s.items()}
                     for c, s in r.subledger.items()}
        accounts = None if r.accounts is None else [
            {"currency": c, "account": a, "balance": str(v)} for c, a, v in r.accounts]
        return cls(auction_id=auction_id, balanced=r.balanced, currencies=currencies, subledger=subledger,
                   accounts=accounts)
