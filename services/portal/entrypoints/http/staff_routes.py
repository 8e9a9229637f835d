"""Work queues of jurisdiction staff. Each page is reachable only with a role that can use it (the
services enforce the rules; the portal hides what a person cannot do and shows what a service refuses)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.portal import i18n, transfer_oversight
from services.portal.api import Api, ApiError
from services.portal.entrypoints.http.individual_routes import items
from services.portal.session import User, current_user, get_api
from services.portal.templating import render

router = APIRouter(prefix="/staff")


def requires(*roles: str) -> Callable[[User], Awaitable[User]]:
    async def check(user: User = Depends(current_user)) -> User:
        if not user.has_any(*roles):
            raise ApiError(403, "forbidden", i18n.translate("error.forbidden", user.locale))
        return user

    return check


registrar = requires("registrar")
officer = requires("executive_officer")
oversight = requires("executive_officer", "accounts_administrator")
auction_staff = requires("auction_administrator", "executive_officer")
settlement_staff = requires("financial_services_administrator", "auction_administrator", "executive_officer")


def _done(request: Request, path: str) -> Response:
    return RedirectResponse(f"{path}?done=1", status_code=303)


def _notice(request: Request, done: str | None) -> str | None:
    return i18n.translate("common.done", request.state.locale) if done else None


# -- KYC reviews (identity) -------------------------------------------------------------------------------
async def kyc_queue(request: Request, done: str | None = None, user: User = Depends(registrar),
                    api: Api = Depends(get_api), error: ApiError | None = None) -> Response:
    body, read_error = await api.get_or_none("identity", "/v1/individuals", params={"status": "documents_submitted"})
    return render(request, "staff/kyc.html", {"people": items(body, "individuals"), "error": error or read_error,
                                              "notice": _notice(request, done)},
                  status_code=error.status if error is not None and error.status < 500 else 200)


@router.get("/kyc")
async def kyc_queue_route(request: Request, done: str | None = None, user: User = Depends(registrar),
                    api: Api = Depends(get_api)) -> Response:
    return await kyc_queue(request=request, done=done, user=user, api=api)


async def kyc_person(individual_id: str, request: Request, user: User = Depends(registrar),
                     api: Api = Depends(get_api), error: ApiError | None = None) -> Response:
    person, read_error = await api.get_or_none("identity", f"/v1/individuals/{individual_id}")
    return render(request, "staff/kyc_person.html", {"person": person, "error": error or read_error},
                  status_code=error.status if error is not None and error.status < 500 else 200)


@router.get("/kyc/{individual_id}")
async def kyc_person_route(individual_id: str, request: Request, user: User = Depends(registrar),
                     api: Api = Depends(get_api)) -> Response:
    return await kyc_person(individual_id=individual_id, request=request, user=user, api=api)


@router.get("/kyc/{individual_id}/documents/{document_id}")
async def kyc_document(individual_id: str, document_id: str, user: User = Depends(registrar),
                       api: Api = Depends(get_api)) -> Response:
    content = await api.get("identity", f"/v1/individuals/{individual_id}/documents/{document_id}")
    return Response(content, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{document_id}"', "Cache-Control": "no-store"})


@router.post("/kyc/{individual_id}/decision")
async def kyc_decision(individual_id: str, request: Request, decision: str = Form(...), reason: str = Form(""),
                       user: User = Depends(registrar), api: Api = Depends(get_api)) -> Response:
    try:
        if decision == "approve":
            await api.post("identity", f"/v1/individuals/{individual_id}/approval")
        else:
            await api.post("identity", f"/v1/individuals/{individual_id}/denial", json={"reason": reason})
    except ApiError as error:
        return await kyc_person(individual_id, request, user, api, error=error)
    return _done(request, "/staff/kyc")


# -- entity applications and representative changes (registry) ---------------------------------------------
async def entity_queue(request: Request, done: str | None = None, user: User = Depends(registrar),
                       api: Api = Depends(get_api), error: ApiError | None = None) -> Response:
    body, read_error = await api.get_or_none("registry", "/v1/entities", params={"status": "applied"})
    return render(request, "staff/entities.html", {"entities": items(body, "entities"), "error": error or read_error,
                                                   "notice": _notice(request, done)},
                  status_code=error.status if error is not None and error.status < 500 else 200)


@router.get("/entities")
async def entity_queue_route(request: Request, done: str | None = None, user: User = Depends(registrar),
                       api: Api = Depends(get_api)) -> Response:
    return await entity_queue(request=request, done=done, user=user, api=api)


@router.post("/entities/{entity_id}/decision")
async def entity_decision(entity_id: str, request: Request, decision: str = Form(...), reason: str = Form(""),
                          totp: str = Form(""), user: User = Depends(registrar),
                          api: Api = Depends(get_api)) -> Response:
    action = "approve" if decision == "approve" else "deny"
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("registry", f"/v1/entities/{entity_id}/{action}", json={"reason": reason or None}, token=token)
    except ApiError as error:
        return await entity_queue(request, None, user, api, error=error)
    return _done(request, "/staff/entities")


async def representative_queue(request: Request, done: str | None = None, user: User = Depends(registrar),
                               api: Api = Depends(get_api), error: ApiError | None = None) -> Response:
    body, read_error = await api.get_or_none("registry", "/v1/entities", params={"status": "approved"})
    pending = []
    for entity in items(body, "entities"):
        eid = entity.get("entity_id") or entity.get("id")
        reqs, _ = await api.get_or_none("registry", f"/v1/entities/{eid}/representative-requests")
        for r in items(reqs, "requests"):
            if r.get("status") == "pending":
                pending.append({**r, "entity_name": entity.get("legal_name")})
    return render(request, "staff/representative_requests.html",
                  {"requests": pending, "error": error or read_error, "notice": _notice(request, done)},
                  status_code=error.status if error is not None and error.status < 500 else 200)


@router.get("/representative-requests")
async def representative_queue_route(request: Request, done: str | None = None, user: User = Depends(registrar),
                               api: Api = Depends(get_api)) -> Response:
    return await representative_queue(request=request, done=done, user=user, api=api)


@router.post("/representative-requests/{request_id}/decision")
async def representative_decision(request_id: str, request: Request, decision: str = Form(...),
                                  reason: str = Form(""), totp: str = Form(""), user: User = Depends(registrar),
                                  api: Api = Depends(get_api)) -> Response:
    action = "approve" if decision == "approve" else "deny"
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("registry", f"/v1/representative-requests/{request_id}/{action}",
                       json={"reason": reason or None}, token=token)
    except ApiError as error:
        return await representative_queue(request, None, user, api, error=error)
    return _done(request, "/staff/representative-requests")


# -- transfers awaiting determination, deficiencies (transfers) -------------------------------------------
@router.get("/transfers")
async def transfer_queue(request: Request, user: User = Depends(oversight), api: Api = Depends(get_api)) -> Response:
    awaiting, error = await api.get_or_none("transfers", "/v1/transfers", params={"status": "awaiting_approval"})
    deficient, derror = await api.get_or_none("transfers", "/v1/transfers", params={"status": "deficient"})
    # §95921(c): the open documentation requests of the person's jurisdictions, oldest due first
    documentation, doc_error = await transfer_oversight.documentation_requests(api, status="open", limit=200)
    return render(request, "staff/transfers.html", {
        "awaiting": items(awaiting), "deficient": items(deficient), "error": error or derror or doc_error,
        "documentation": documentation,
    })


# -- restrictions (registry, Executive Officer) ------------------------------------------------------------
async def restrictions_page(request: Request, done: str | None = None, user: User = Depends(officer),
                            api: Api = Depends(get_api), error: ApiError | None = None) -> Response:
    body, read_error = await api.get_or_none("registry", "/v1/entities")
    return render(request, "staff/restrictions.html", {"entities": items(body, "entities"),
                                                       "error": error or read_error, "notice": _notice(request, done)},
                  status_code=error.status if error is not None and error.status < 500 else 200)


@router.get("/restrictions")
async def restrictions_page_route(request: Request, done: str | None = None, user: User = Depends(officer),
                            api: Api = Depends(get_api)) -> Response:
    return await restrictions_page(request=request, done=done, user=user, api=api)


@router.post("/restrictions/{entity_id}")
async def restrict(entity_id: str, request: Request, transfers: str = Form(...), reason: str = Form(...),
                   totp: str = Form(""), user: User = Depends(officer), api: Api = Depends(get_api)) -> Response:
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.put("registry", f"/v1/entities/{entity_id}/restrictions",
                      json={"transfers": transfers, "reason": reason}, token=token)
    except ApiError as error:
        return await restrictions_page(request, None, user, api, error=error)
    return _done(request, "/staff/restrictions")
