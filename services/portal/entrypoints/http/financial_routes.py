"""Money pages (docs/financial.md): representatives lodge bid guarantees and follow their invoices and
payments; the financial services administrator (FSA) evaluates guarantees, records wires and runs the
overdue draw; the executive officer accepts guarantees; staff read each auction's settlement as tables.

Guarantee amounts are confidential (§95912(f)): the financial service decides who sees them (the
executive officer gets `amounts_withheld`), the portal shows what it is given.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.portal import i18n
from services.portal.api import Api, ApiError
from services.portal.entrypoints.http.auction_routes import auction_id_of, list_auctions
from services.portal.entrypoints.http.individual_routes import items, my_accounts
from services.portal.entrypoints.http.staff_routes import requires
from services.portal.session import User, current_user, get_api
from services.portal.templating import render

router = APIRouter()

FORMS = ("cash", "letter_of_credit", "bond")
OVER = ("cancelled", "certified", "not_certified")  # no new guarantee makes sense any more
NOTICES = {"guarantee": "fin.submitted", "payment": "fin.payment_recorded", "1": "common.done"}

fsa = requires("financial_services_administrator")
guarantee_staff = requires("financial_services_administrator", "executive_officer")
settlement_staff = requires("financial_services_administrator", "auction_administrator", "executive_officer")


def _status(error: ApiError | None) -> int:
    return 200 if error is None else error.page_status


def _notice(request: Request, done: str | None) -> str | None:
    return i18n.translate(NOTICES[done], request.state.locale) if done in NOTICES else None


def payment_deadline(due_on: Any) -> str:
    """An invoice is overdue the day after its due date (§95912(i)(3)(A)-(B)): the instant to count down to."""
    try:
        return (date.fromisoformat(str(due_on)) + timedelta(days=1)).isoformat()
    except ValueError:
        return ""


# -- account representatives --------------------------------------------------------------------------------
async def financial_page(request: Request, user: User, api: Api, error: ApiError | None = None,
                         done: str | None = None, form: dict[str, str] | None = None) -> Response:
    auctions, aerror = await list_auctions(api)
    accounts, _ = await my_accounts(api)
    entities = sorted({(str(a.get("entity_id")), str(a.get("entity_name") or a.get("entity_id")))
                       for a in accounts if a.get("may_act")})
    rows = []
    for auction in auctions:
        aid = auction_id_of(auction)
        guarantees, gerror = await api.get_or_none("financial", f"/v1/auctions/{aid}/guarantees")
        invoices, _ = await api.get_or_none("financial", f"/v1/auctions/{aid}/invoices")
        shown = [{**i, "deadline": payment_deadline(i.get("due_on") or i.get("due_at"))}
                 for i in items(invoices, "invoices") if isinstance(i, dict)]
        rows.append({"id": aid, "auction": auction, "guarantees": items(guarantees, "guarantees"), "invoices": shown,
                     "error": gerror if gerror and gerror.status not in (401, 403, 404) else None,
                     "may_submit": bool(entities) and str(auction.get("phase") or "") not in OVER})
    return render(request, "financial/mine.html", {
        "auctions": rows, "entities": entities, "forms": FORMS, "form": form or {},
        "error": error or aerror, "notice": _notice(request, done)}, status_code=_status(error))


@router.get("/financial")
async def financial_route(request: Request, done: str | None = None, user: User = Depends(current_user),
                          api: Api = Depends(get_api)) -> Response:
    return await financial_page(request, user, api, done=done)


@router.post("/financial/{auction_id}/guarantees")
async def submit_guarantee(auction_id: str, request: Request, user: User = Depends(current_user),
                           api: Api = Depends(get_api)) -> Response:
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
    body: dict[str, Any] = {"entity_id": form.get("entity_id", ""), "form": form.get("form", ""),
                            "amount": form.get("amount", ""), "currency": form.get("currency") or "USD"}
    for key in ("expires_on", "issuer", "instrument_reference"):
        if form.get(key):
            body[key] = form[key]
    try:
        await api.post("financial", f"/v1/auctions/{auction_id}/guarantees", json=body)
    except ApiError as error:
        return await financial_page(request, user, api, error=error, form=form)
    return RedirectResponse("/financial?done=guarantee", status_code=303)


# -- guarantees to evaluate (FSA) and accept (executive officer) ----------------------------------------------
async def guarantee_queue(request: Request, user: User, api: Api, error: ApiError | None = None,
                          done: str | None = None) -> Response:
    auctions, read_error = await list_auctions(api)
    rows = []
    for auction in auctions:
        aid = auction_id_of(auction)
        body, _ = await api.get_or_none("financial", f"/v1/auctions/{aid}/guarantees")
        pending = [g for g in items(body, "guarantees") if isinstance(g, dict)
                   and g.get("status") in ("submitted", "conforming")]
        if pending:
            rows.append({"id": aid, "auction": auction, "guarantees": pending})
    return render(request, "financial/guarantees.html", {
        "auctions": rows, "error": error or read_error, "notice": _notice(request, done),
        "is_fsa": user.has_role("financial_services_administrator"),
        "officer_of": set(user.jurisdictions("executive_officer"))}, status_code=_status(error))


@router.get("/staff/guarantees")
async def guarantee_queue_route(request: Request, done: str | None = None, user: User = Depends(guarantee_staff),
                                api: Api = Depends(get_api)) -> Response:
    return await guarantee_queue(request, user, api, done=done)


@router.post("/staff/guarantees/{guarantee_id}/{step}")
async def guarantee_step(guarantee_id: str, step: str, request: Request, decision: str = Form("yes"),
                         note: str = Form(""), totp: str = Form(""), user: User = Depends(guarantee_staff),
                         api: Api = Depends(get_api)) -> Response:
    """The FSA's evaluation (§95912(h)), then the executive officer's acceptance (§95912(h)(8))."""
    if step == "evaluation":
        body: dict[str, Any] = {"conforming": decision == "yes", "note": note or None}
    elif step == "decision":
        body = {"accept": decision == "yes", "note": note or None}
    else:
        raise ApiError(404, "not_found", i18n.translate("error.not_found", user.locale))
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("financial", f"/v1/guarantees/{guarantee_id}/{step}", json=body, token=token)
    except ApiError as error:
        return await guarantee_queue(request, user, api, error=error)
    return RedirectResponse("/staff/guarantees?done=1", status_code=303)


# -- settlement --------------------------------------------------------------------------------------------
@router.get("/staff/settlement")
async def settlement_list(request: Request, user: User = Depends(settlement_staff),
                          api: Api = Depends(get_api)) -> Response:
    auctions, error = await list_auctions(api)
    rows = []
    for auction in auctions:
        aid = auction_id_of(auction)
        state, serror = await api.get_or_none("financial", f"/v1/auctions/{aid}/settlement")
        rows.append({"id": aid, "auction": auction, "settlement": state if isinstance(state, dict) else {},
                     "error": serror})
    return render(request, "financial/settlement_list.html", {"auctions": rows, "error": error})


def distributions(reconciliation: dict[str, Any]) -> list[dict[str, str]]:
    """Proceeds paid out per payee and currency (§95912(i)(3)(B)-(D)), from the reconciliation report."""
    out = []
    for currency, figures in sorted((reconciliation.get("currencies") or {}).items()):
        for payee, amount in sorted(((figures.get("proceeds") or {}).get("paid_out") or {}).items()):
            out.append({"payee": payee, "amount": str(amount), "currency": currency})
    return out


async def settlement_page(auction_id: str, request: Request, user: User, api: Api,
                          error: ApiError | None = None, done: str | None = None) -> Response:
    auction, aerror = await api.get_or_none("auction", f"/v1/auctions/{auction_id}")
    state, serror = await api.get_or_none("financial", f"/v1/auctions/{auction_id}/settlement")
    invoices, _ = await api.get_or_none("financial", f"/v1/auctions/{auction_id}/invoices")
    guarantees, _ = await api.get_or_none("financial", f"/v1/auctions/{auction_id}/guarantees")
    report, _ = await api.get_or_none("financial", "/v1/reconciliation", params={"auction_id": auction_id})
    shown = [{**i, "deadline": payment_deadline(i.get("due_on"))} for i in items(invoices, "invoices")
             if isinstance(i, dict)]
    report = report if isinstance(report, dict) else {}
    return render(request, "financial/settlement.html", {
        "auction_id": auction_id, "auction": auction if isinstance(auction, dict) else {},
        "settlement": state if isinstance(state, dict) else None, "invoices": shown,
        "guarantees": [g for g in items(guarantees, "guarantees") if isinstance(g, dict)],
        "draws": [i for i in shown if i.get("drawn") not in (None, "0", "0.00")],
        "distributions": distributions(report), "reconciliation": report,
        "is_fsa": user.has_role("financial_services_administrator"),
        "error": error or serror or aerror, "notice": _notice(request, done)}, status_code=_status(error))


@router.get("/staff/settlement/{auction_id}")
async def settlement_route(auction_id: str, request: Request, done: str | None = None,
                           user: User = Depends(settlement_staff), api: Api = Depends(get_api)) -> Response:
    return await settlement_page(auction_id, request, user, api, done=done)


@router.post("/staff/settlement/{auction_id}/invoices/{invoice_id}/payments")
async def record_payment(auction_id: str, invoice_id: str, request: Request, amount: str = Form(""),
                         currency: str = Form("USD"), wire_reference: str = Form(""), received_on: str = Form(""),
                         totp: str = Form(""), user: User = Depends(fsa), api: Api = Depends(get_api)) -> Response:
    body: dict[str, Any] = {"amount": amount.strip(), "currency": currency, "wire_reference": wire_reference.strip()}
    if received_on.strip():
        body["received_on"] = received_on.strip()
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("financial", f"/v1/invoices/{invoice_id}/payments", json=body, token=token)
    except ApiError as error:
        return await settlement_page(auction_id, request, user, api, error=error)
    return RedirectResponse(f"/staff/settlement/{auction_id}?done=payment", status_code=303)


@router.post("/staff/settlement/{auction_id}/deadlines")
async def run_deadlines(auction_id: str, request: Request, user: User = Depends(fsa),
                        api: Api = Depends(get_api)) -> Response:
    """The overdue draw (§95912(h)(9)): the financial service's deadline job, run now."""
    try:
        await api.post("financial", "/v1/ops/settlement-deadlines")
    except ApiError as error:
        return await settlement_page(auction_id, request, user, api, error=error)
    return RedirectResponse(f"/staff/settlement/{auction_id}?done=1", status_code=303)
