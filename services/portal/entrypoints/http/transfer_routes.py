"""Deficiencies and documentation on a transfer (transfers API), from the transfer page and the staff queue.

- the parties: resubmit a deficient request with corrected terms (§95921(i)(1)(C), step-up), correct a
  deficiency found after recording (§95921(i)(2)(D), step-up), upload documents asked for (§95921(c));
- the Executive Officer: request documentation (§95921(c)).
Refusals are shown on the transfer page as the service's message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from services.portal.api import Api, ApiError
from services.portal.entrypoints.http.individual_routes import transfer_page
from services.portal.session import User, current_user, get_api

router = APIRouter()

# the transaction fields of the submission form that a resubmission may correct (§95921(b)(2)–(b)(6))
TRANSACTION_FIELDS = ("agreement_date", "price", "currency", "zero_price_reason", "pricing_method", "cost_base",
                      "margin", "pricing_description", "exchange", "contract_code", "close_of_trading_date")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the transfers service's default document_max_bytes; it checks again


def corrected_transaction(form: dict[str, str]) -> dict[str, Any]:
    transaction: dict[str, Any] = {"transaction_type": form.get("transaction_type") or "otc_spot"}
    for key in TRANSACTION_FIELDS:
        if form.get(key):
            transaction[key] = form[key]
    transaction["expected_termination_date"] = form.get("expected_termination_date") or "not_specified"
    if form.get("agreement_reference"):
        transaction["agreement"] = {"kind": form.get("agreement_kind") or "written",
                                    "reference": form["agreement_reference"]}
    return transaction


def _done(transfer_id: str, done: str) -> Response:
    return RedirectResponse(f"/transfers/{transfer_id}?done={done}", status_code=303)


async def _refused(request: Request, transfer_id: str, user: User, api: Api, error: ApiError) -> Response:
    return await transfer_page(transfer_id, request, None, user, api, error=error)


@router.post("/transfers/{transfer_id}/resubmit")
async def resubmit(transfer_id: str, request: Request, user: User = Depends(current_user),
                   api: Api = Depends(get_api)) -> Response:
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
    try:
        token = await api.step_up(user.refresh_token, form.get("totp", ""))
        await api.post("transfers", f"/v1/transfers/{transfer_id}/resubmit",
                       json={"transaction": corrected_transaction(form)}, token=token)
    except ApiError as error:
        return await _refused(request, transfer_id, user, api, error)
    return _done(transfer_id, "resubmitted")


@router.post("/transfers/{transfer_id}/deficiencies/{deficiency_id}/correct")
async def correct(transfer_id: str, deficiency_id: str, request: Request, note: str = Form(""),
                  totp: str = Form(""), user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("transfers", f"/v1/deficiencies/{deficiency_id}/correct", json={"note": note.strip()},
                       token=token)
    except ApiError as error:
        return await _refused(request, transfer_id, user, api, error)
    return _done(transfer_id, "corrected")


@router.post("/transfers/{transfer_id}/documentation-requests")
async def request_documentation(transfer_id: str, request: Request, party: str = Form("source"),
                                description: str = Form(""), user: User = Depends(current_user),
                                api: Api = Depends(get_api)) -> Response:
    try:
        await api.post("transfers", f"/v1/transfers/{transfer_id}/documentation-requests",
                       json={"party": party, "description": description.strip()})
    except ApiError as error:
        return await _refused(request, transfer_id, user, api, error)
    return _done(transfer_id, "documentation_requested")


@router.post("/transfers/{transfer_id}/documentation-requests/{request_id}/documents")
async def upload(transfer_id: str, request_id: str, request: Request, file: UploadFile = File(...),
                 user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        await api.post("transfers", f"/v1/documentation-requests/{request_id}/documents",
                       files={"file": (file.filename or "document", content,
                                       file.content_type or "application/octet-stream")})
    except ApiError as error:
        return await _refused(request, transfer_id, user, api, error)
    return _done(transfer_id, "uploaded")
