"""The financial API: bid guarantees, invoices and payments, deliveries, the deadline job, reconciliation.

Coarse checks (authenticated, staff role, fresh second factor) happen here; whether this person
may act on this object (jurisdiction, representative of the entity) is decided by the use case.
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Depends, Query, Request

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application import deliveries, guarantees, queries, settlement
from services.financial.application.policy import FinancialPolicy
from services.financial.entrypoints.http.schemas import (
    CarryOverIn,
    DecisionIn,
    DrawOut,
    EvaluationIn,
    GuaranteeIn,
    GuaranteeOut,
    GuaranteeTermsIn,
    InvoiceOut,
    PaymentIn,
    ReconciliationOut,
    RetryIn,
    SettlementOut,
)
from shared.auth.dependencies import current_principal, require_role, require_step_up
from shared.auth.principal import Principal, Role

router = APIRouter(prefix="/v1", tags=["financial"])

FSA = Role.FINANCIAL_SERVICES_ADMINISTRATOR
_fsa = require_role(FSA)
_staff = require_role(FSA, Role.AUCTION_ADMINISTRATOR, Role.EXECUTIVE_OFFICER)
_step_up = require_step_up()


def _uow(request: Request) -> FinancialUnitOfWork:
    return cast(FinancialUnitOfWork, request.app.state.runtime.uow())


def _policy(request: Request) -> FinancialPolicy:
    return cast(FinancialPolicy, request.app.state.policy)


# ---- bid guarantees (§95912(h)) ----------------------------------------------------------------------

@router.post("/auctions/{auction_id}/guarantees", status_code=201, response_model=GuaranteeOut)
async def submit_guarantee(auction_id: str, body: GuaranteeIn, request: Request,
                           principal: Principal = Depends(current_principal)) -> GuaranteeOut:
    """A primary or alternate representative of the entity (or the FSA) lodges a bid guarantee."""
    cmd = guarantees.SubmitGuarantee(auction_id, body.entity_id, body.terms())
    g = await guarantees.submit_guarantee(cmd, principal=principal, uow=_uow(request), policy=_policy(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


@router.get("/auctions/{auction_id}/guarantees", response_model=list[GuaranteeOut])
async def list_guarantees(auction_id: str, request: Request,
                          principal: Principal = Depends(current_principal)) -> list[GuaranteeOut]:
    """Staff see every guarantee (amounts only the FSA and auction administrator); representatives their own."""
    seen = await queries.list_guarantees(auction_id, principal=principal, uow=_uow(request))
    return [GuaranteeOut.of(s) for s in seen]


@router.get("/guarantees/{guarantee_id}", response_model=GuaranteeOut)
async def get_guarantee(guarantee_id: str, request: Request,
                        principal: Principal = Depends(current_principal)) -> GuaranteeOut:
    return GuaranteeOut.of(await queries.get_guarantee(guarantee_id, principal=principal, uow=_uow(request)))


@router.post("/guarantees/{guarantee_id}/amendments", status_code=201, response_model=GuaranteeOut)
async def amend_guarantee(guarantee_id: str, body: GuaranteeTermsIn, request: Request,
                          principal: Principal = Depends(current_principal)) -> GuaranteeOut:
    """Replace the terms before the deadline; refused for a rescheduled window (§95912(j)(3)(D))."""
    cmd = guarantees.AmendGuarantee(guarantee_id, body.terms())
    g = await guarantees.amend_guarantee(cmd, principal=principal, uow=_uow(request), policy=_policy(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


@router.post("/guarantees/{guarantee_id}/evaluation", response_model=GuaranteeOut)
async def evaluate_guarantee(guarantee_id: str, body: EvaluationIn, request: Request,
                             _: Principal = Depends(_fsa), principal: Principal = Depends(_step_up)) -> GuaranteeOut:
    """The FSA received the instrument and finds it conforming or not (§95912(h)(8))."""
    cmd = guarantees.EvaluateGuarantee(guarantee_id, body.conforming, body.note)
    g = await guarantees.evaluate_guarantee(cmd, principal=principal, uow=_uow(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


@router.post("/guarantees/{guarantee_id}/decision", response_model=GuaranteeOut)
async def decide_guarantee(guarantee_id: str, body: DecisionIn, request: Request,
                           _: Principal = Depends(require_role(Role.EXECUTIVE_OFFICER)),
                           principal: Principal = Depends(_step_up)) -> GuaranteeOut:
    """The executive officer accepts or declines a conforming guarantee (§95912(h)(8)); amounts withheld."""
    cmd = guarantees.DecideGuarantee(guarantee_id, body.accept, body.note)
    g = await guarantees.decide_guarantee(cmd, principal=principal, uow=_uow(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, False))


@router.post("/guarantees/{guarantee_id}/multi-auction-agreement", response_model=GuaranteeOut)
async def agree_multi_auction(guarantee_id: str, request: Request, _: Principal = Depends(_fsa),
                              principal: Principal = Depends(_step_up)) -> GuaranteeOut:
    """The FSA and the bidder agree to hold a non-cash guarantee for several auctions (§95912(i)(3)(G))."""
    g = await guarantees.agree_multi_auction(guarantee_id, principal=principal, uow=_uow(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


@router.post("/guarantees/{guarantee_id}/carry-over", response_model=GuaranteeOut)
async def carry_over(guarantee_id: str, body: CarryOverIn, request: Request, _: Principal = Depends(_fsa),
                     principal: Principal = Depends(_step_up)) -> GuaranteeOut:
    g = await guarantees.carry_over(guarantee_id, body.auction_id, principal=principal, uow=_uow(request),
                                    policy=_policy(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


@router.post("/guarantees/{guarantee_id}/release", response_model=GuaranteeOut)
async def release_kept(guarantee_id: str, request: Request, _: Principal = Depends(_fsa),
                       principal: Principal = Depends(_step_up)) -> GuaranteeOut:
    g = await guarantees.release_kept(guarantee_id, principal=principal, uow=_uow(request))
    return GuaranteeOut.of(queries.GuaranteeSeen(g, True))


# ---- settlement (§95912(i)) --------------------------------------------------------------------------

@router.get("/auctions/{auction_id}/settlement", response_model=SettlementOut)
async def get_settlement(auction_id: str, request: Request, principal: Principal = Depends(_staff)) -> SettlementOut:
    return SettlementOut.of(await queries.settlement(auction_id, principal=principal, uow=_uow(request)))


@router.get("/auctions/{auction_id}/invoices", response_model=list[InvoiceOut])
async def list_invoices(auction_id: str, request: Request,
                        principal: Principal = Depends(current_principal)) -> list[InvoiceOut]:
    seen = await queries.list_invoices(auction_id, principal=principal, uow=_uow(request))
    return [InvoiceOut.of(s) for s in seen]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(invoice_id: str, request: Request,
                      principal: Principal = Depends(current_principal)) -> InvoiceOut:
    return InvoiceOut.of(await queries.get_invoice(invoice_id, principal=principal, uow=_uow(request)))


@router.post("/invoices/{invoice_id}/payments", response_model=InvoiceOut)
async def record_payment(invoice_id: str, body: PaymentIn, request: Request, _: Principal = Depends(_fsa),
                         principal: Principal = Depends(_step_up)) -> InvoiceOut:
    """The FSA records a wire received from a winner (§95912(i)(3)(A))."""
    cmd = settlement.RecordPayment(invoice_id, body.amount, body.currency, body.wire_reference, body.received_on)
    await settlement.record_payment(cmd, principal=principal, uow=_uow(request), policy=_policy(request))
    return InvoiceOut.of(await queries.get_invoice(invoice_id, principal=principal, uow=_uow(request)))


@router.post("/deliveries/{request_id}/retry", status_code=202)
async def retry_delivery(request_id: str, body: RetryIn, request: Request, _: Principal = Depends(_fsa),
                         principal: Principal = Depends(_step_up)) -> dict[str, str]:
    cmd = deliveries.RetryDelivery(request_id, body.destination_account, body.any_vintage)
    return {"request_id": await deliveries.retry_delivery(cmd, principal=principal, uow=_uow(request))}


@router.post("/ops/settlement-deadlines", response_model=list[DrawOut], tags=["operations"])
async def run_settlement_deadlines(request: Request, _: Principal = Depends(_fsa)) -> list[DrawOut]:
    """Run the deadline job now (it also runs in the background): draw on guarantees of unpaid invoices."""
    results = await settlement.run_deadlines(lambda: _uow(request), _policy(request))
    return [DrawOut(invoice_id=r.invoice_id, auction_id=r.auction_id, entity_id=r.entity_id, status=r.status,
                    drawn=str(r.drawn.amount), currency=str(r.drawn.currency)) for r in results]


@router.get("/reconciliation", response_model=ReconciliationOut)
async def get_reconciliation(request: Request, auction_id: str | None = Query(default=None, max_length=64),
                             principal: Principal = Depends(_staff)) -> ReconciliationOut:
    """Every cent, per currency: guarantees received = drawn + returned + held; proceeds paid out
    = cash received + guarantees drawn (± conversions) − what is still undistributed."""
    with_accounts = any(principal.has_role(r) for r in (FSA, Role.AUCTION_ADMINISTRATOR))
    result = await queries.reconciliation(auction_id=auction_id, with_accounts=with_accounts, uow=_uow(request))
    return ReconciliationOut.of(auction_id, result)

