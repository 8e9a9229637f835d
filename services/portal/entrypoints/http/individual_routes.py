"""Pages for account representatives: accounts and holdings, transfers, notifications, auctions, money.

Every read goes to the owning service with the person's token; what the service refuses is shown as
its message. Steps the regulation wants proven afresh (submitting, confirming, accepting a transfer,
bidding) take a one-time code in the form: the portal exchanges it for a step-up token first.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.portal import i18n, transfer_oversight
from services.portal.api import Api, ApiError
from services.portal.session import User, current_user, get_api
from services.portal.templating import render

router = APIRouter()


def items(body: Any, *keys: str) -> list[Any]:
    """A list answer, or the list under the first of `keys` of an object answer."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in keys:
            if isinstance(body.get(key), list):
                return list(body[key])
    return []


async def my_accounts(api: Api) -> tuple[list[dict[str, Any]], ApiError | None]:
    body, error = await api.get_or_none("registry", "/v1/me/accounts")
    return items(body, "accounts"), error


# -- entities, accounts, holdings -------------------------------------------------------------------------
@router.get("/accounts")
async def accounts_page(request: Request, user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    accounts, error = await my_accounts(api)
    entities: dict[str, dict[str, Any]] = {}
    for account in accounts:
        entity = entities.setdefault(str(account.get("entity_id")), {"name": account.get("entity_name"),
                                                                    "id": account.get("entity_id"), "accounts": []})
        holdings, herror = await api.get_or_none("registry", f"/v1/accounts/{account['account_number']}/holdings",
                                                 params={"limit": 0})
        entity["accounts"].append({**account, "balances": items(holdings, "balances"), "error": herror})
    return render(request, "individual/accounts.html", {"entities": list(entities.values()), "error": error})


# -- transfers --------------------------------------------------------------------------------------------
@router.get("/transfers")
async def transfers_page(request: Request, user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    body, error = await api.get_or_none("transfers", "/v1/transfers", params={"limit": 100})
    accounts, aerror = await my_accounts(api)
    return render(request, "individual/transfers.html", {
        "transfers": items(body, "transfers"), "error": error or aerror,
        "sources": [a for a in accounts if a.get("may_act") and a.get("account_type") in
                    ("holding", "exchange_clearing_holding")],
        "today": request.app.state.clock.now().date().isoformat(),
        "form": {},
    })


def _transfer_body(form: dict[str, str]) -> dict[str, Any]:
    transaction: dict[str, Any] = {"transaction_type": form.get("transaction_type") or "otc_spot"}
    for key in ("agreement_date", "price", "currency", "zero_price_reason"):
        if form.get(key):
            transaction[key] = form[key]
    transaction["expected_termination_date"] = form.get("expected_termination_date") or "not_specified"
    if form.get("agreement_reference"):
        transaction["agreement"] = {"kind": form.get("agreement_kind") or "written",
                                    "reference": form["agreement_reference"]}
    instrument: dict[str, Any] = {"instrument_type": form.get("instrument_type") or "allowance"}
    if form.get("vintage"):
        instrument["vintage"] = form["vintage"]
    if form.get("issuer"):
        instrument["jurisdiction"] = form["issuer"]
    body: dict[str, Any] = {"source_account": form.get("source_account", ""),
                            "destination_account": form.get("destination_account", ""),
                            "instrument": instrument, "quantity": form.get("quantity") or "0",
                            "transaction": transaction}
    if form.get("second_representative"):
        body["second_representative"] = form["second_representative"]
    return body


@router.post("/transfers")
async def submit_transfer(request: Request, user: User = Depends(current_user),
                          api: Api = Depends(get_api)) -> Response:
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
    try:
        step_up = await api.step_up(user.refresh_token, form.get("totp", ""))
        created = await api.post("transfers", "/v1/transfers", json=_transfer_body(form), token=step_up)
    except ApiError as error:
        page = await transfers_page(request, user, api)
        return _with_error(request, page, error, form)
    return RedirectResponse(f"/transfers/{created['transfer_id']}?done=submitted", status_code=303)


def _with_error(request: Request, page: Response, error: ApiError, form: dict[str, str]) -> Response:
    # re-render the list page with the error and what the person typed (never the code)
    form.pop("totp", None)
    ctx = dict(getattr(page, "context", {}) or {})
    ctx.pop("request", None)
    ctx.update(error=error, form=form)
    return render(request, "individual/transfers.html", ctx, status_code=error.status if error.status < 500 else 502)


DONE = {"submitted": "transfers.submitted", "confirmed": "transfers.confirmed", "accepted": "transfers.accepted",
        "determined": "transfers.approved", "withdrawn": "transfer.withdrawn",
        # deficiencies and documentation (transfer_routes.py, transfer_oversight.py)
        "resubmitted": "transfer.resubmitted", "corrected": "transfer.corrected",
        "deficiency": "transfer.deficiency_recorded", "documentation_requested": "transfer.documentation_requested",
        "uploaded": "transfer.uploaded"}


async def transfer_page(transfer_id: str, request: Request, done: str | None = None,
                        user: User = Depends(current_user), api: Api = Depends(get_api),
                        error: ApiError | None = None) -> Response:
    transfer, read_error = await api.get_or_none("transfers", f"/v1/transfers/{transfer_id}")
    notices, _ = await api.get_or_none("transfers", "/v1/notifications", params={"transfer_id": transfer_id})
    accounts, _ = await my_accounts(api)
    mine = {a["account_number"]: a for a in accounts if a.get("may_act")}
    notice = i18n.translate(DONE[done], request.state.locale, id=transfer_id) if done in DONE else None
    t = transfer or {}
    status = t.get("status")
    ctx = {
        "transfer": transfer, "notifications": items(notices), "error": error or read_error, "notice": notice,
        "may_confirm": status == "proposed" and t.get("source_account") in mine
        and t.get("submitted_by") != user.individual_id,
        "may_accept": status == "awaiting_acceptance" and t.get("destination_account") in mine,
        "may_withdraw": status in ("proposed", "awaiting_acceptance", "awaiting_approval", "deficient")
        and t.get("source_account") in mine,
        "may_determine": status == "awaiting_approval"
        and user.has_role("executive_officer", str(t.get("jurisdiction"))),
        "may_report": status not in (None, "refused", "expired", "withdrawn", "denied")
        and (user.has_role("executive_officer", str(t.get("jurisdiction")))
             or user.has_role("accounts_administrator", str(t.get("jurisdiction")))),
    }
    ctx.update(await transfer_oversight.transfer_context(api, user, transfer, set(mine)))
    code = error.status if error is not None and error.status < 500 else (502 if error else 200)
    return render(request, "individual/transfer.html", ctx, status_code=code)


@router.get("/transfers/{transfer_id}")
async def transfer_page_route(transfer_id: str, request: Request, done: str | None = None,
                        user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    return await transfer_page(transfer_id=transfer_id, request=request, done=done, user=user, api=api)


@router.get("/transfers/{transfer_id}/status")
async def transfer_status(transfer_id: str, request: Request, user: User = Depends(current_user),
                          api: Api = Depends(get_api)) -> Response:
    """The status alone: the transfer page polls it with htmx while the request is under way."""
    transfer, error = await api.get_or_none("transfers", f"/v1/transfers/{transfer_id}")
    text = str(transfer.get("status")) if isinstance(transfer, dict) else (error.text if error else "")
    return HTMLResponse(html.escape(text))


async def _step(request: Request, transfer_id: str, action: str, user: User, api: Api, totp: str,
                body: dict[str, Any] | None = None, done: str = "") -> Response:
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("transfers", f"/v1/transfers/{transfer_id}/{action}", json=body or {}, token=token)
    except ApiError as error:
        return await transfer_page(transfer_id, request, None, user, api, error=error)
    return RedirectResponse(f"/transfers/{transfer_id}?done={done}", status_code=303)


@router.post("/transfers/{transfer_id}/confirm")
async def confirm(transfer_id: str, request: Request, totp: str = Form(""), user: User = Depends(current_user),
                  api: Api = Depends(get_api)) -> Response:
    return await _step(request, transfer_id, "confirm", user, api, totp, done="confirmed")


@router.post("/transfers/{transfer_id}/accept")
async def accept(transfer_id: str, request: Request, totp: str = Form(""), user: User = Depends(current_user),
                 api: Api = Depends(get_api)) -> Response:
    return await _step(request, transfer_id, "accept", user, api, totp, done="accepted")


@router.post("/transfers/{transfer_id}/withdraw")
async def withdraw(transfer_id: str, request: Request, totp: str = Form(""), user: User = Depends(current_user),
                   api: Api = Depends(get_api)) -> Response:
    return await _step(request, transfer_id, "withdraw", user, api, totp, done="withdrawn")


@router.post("/transfers/{transfer_id}/determination")
async def determination(transfer_id: str, request: Request, decision: str = Form(...), reason: str = Form(""),
                        totp: str = Form(""), user: User = Depends(current_user),
                        api: Api = Depends(get_api)) -> Response:
    body: dict[str, Any] = {"decision": decision}
    if reason.strip():
        body["reason"] = reason.strip()
    return await _step(request, transfer_id, "determination", user, api, totp, body, done="determined")


@router.post("/transfers/{transfer_id}/deficiencies")
async def deficiency(transfer_id: str, request: Request, kind: str = Form("information"),
                     responsible: str = Form("source"), problem: str = Form(...), fields: str = Form(""),
                     user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    try:
        await api.post("transfers", f"/v1/transfers/{transfer_id}/deficiencies",
                       json={"kind": kind, "responsible": responsible, "problem": problem,
                             "fields": [f.strip() for f in fields.split(",") if f.strip()]})
    except ApiError as error:
        return await transfer_page(transfer_id, request, None, user, api, error=error)
    return RedirectResponse(f"/transfers/{transfer_id}?done=deficiency", status_code=303)


# -- notifications ----------------------------------------------------------------------------------------
@router.get("/notifications")
async def notifications_page(request: Request, user: User = Depends(current_user),
                             api: Api = Depends(get_api)) -> Response:
    body, error = await api.get_or_none("transfers", "/v1/notifications", params={"limit": 200})
    return render(request, "individual/notifications.html", {"notifications": items(body), "error": error})
