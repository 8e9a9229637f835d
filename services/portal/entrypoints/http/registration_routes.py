"""Registration of an individual user (§95834) through identity's registration API.

The registration token identity returns (it would be e-mailed in production) is kept in an encrypted,
HttpOnly cookie for the rest of the process: documents, submission, activation and TOTP enrolment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from services.portal import i18n
from services.portal.api import ApiError, api_of
from services.portal.session import REGISTRATION_COOKIE, sealer, set_cookie
from services.portal.templating import render

router = APIRouter()
REGISTRATION_COOKIE_SECONDS = 31 * 86400
ID_TYPES = ("drivers_licence", "passport", "national_id", "permanent_resident_card", "state_id")
DOCUMENT_KINDS = ("government_id", "bank_statement", "proof_of_residence")
FIELDS = ("legal_name", "email", "phone", "date_of_birth", "jurisdiction", "line1", "city", "region", "postal_code",
          "country", "id_type", "id_number", "id_issuer", "id_expires_on", "bank_name", "statement_date")


def _registration(request: Request) -> dict[str, Any] | None:
    return sealer(request).open("registration", request.cookies.get(REGISTRATION_COOKIE), REGISTRATION_COOKIE_SECONDS)


def _body(form: dict[str, str]) -> dict[str, Any]:
    return {
        "legal_name": form["legal_name"], "email": form["email"], "phone": form["phone"],
        "date_of_birth": form["date_of_birth"], "jurisdiction": form["jurisdiction"],
        "residence": {"line1": form["line1"], "city": form["city"], "region": form["region"],
                      "postal_code": form["postal_code"], "country": form["country"].upper()},
        "government_id": {"type": form["id_type"], "number": form["id_number"], "issuer": form["id_issuer"],
                          "expires_on": form["id_expires_on"]},
        "bank_account": {"bank_name": form["bank_name"], "statement_date": form["statement_date"]},
        "attestation": {"felony_conviction_within_last_5_years": form.get("felony") == "yes",
                        "information_is_true": form.get("truthful") == "yes"},
        "password": form["password"],
    }


@router.get("/register")
async def registration_form(request: Request) -> Response:
    return render(request, "register/form.html", {"form": {}, "id_types": ID_TYPES})


@router.post("/register")
async def register(request: Request) -> Response:
    raw = await request.form()
    form = {k: str(raw.get(k) or "").strip() for k in (*FIELDS, "felony", "truthful")}
    form["password"] = str(raw.get("password") or "")
    try:
        done = await api_of(request).post("identity", "/v1/registrations", json=_body(form))
    except ApiError as error:
        form.pop("password", None)
        return render(request, "register/form.html", {"form": form, "id_types": ID_TYPES, "error": error},
                      status_code=error.status if error.status < 500 else 502)
    response = RedirectResponse("/register/status", status_code=303)
    value = {"id": done["individual_id"], "token": done["registration_token"]}
    set_cookie(response, request, REGISTRATION_COOKIE, sealer(request).seal("registration", value),
               REGISTRATION_COOKIE_SECONDS)
    return response


async def _status_page(request: Request, reg: dict[str, Any] | None, **extra: Any) -> Response:
    if reg is None:
        return RedirectResponse("/register", status_code=303)
    status, error = extra.pop("known", None), None
    if status is None:
        status, error = await api_of(request).get_or_none(
            "identity", f"/v1/registrations/{reg['id']}", headers={"X-Registration-Token": str(reg["token"])})
    ctx: dict[str, Any] = {"registration": status, "kinds": DOCUMENT_KINDS, **extra}
    if error is not None and "error" not in ctx:
        ctx["error"] = error
    return render(request, "register/status.html", ctx)


@router.get("/register/status")
async def registration_status(request: Request) -> Response:
    return await _status_page(request, _registration(request))


@router.post("/register/documents")
async def upload(request: Request, kind: str = Form(...), file: UploadFile = File(...)) -> Response:
    reg = _registration(request)
    if reg is None:
        return RedirectResponse("/register", status_code=303)
    content = await file.read()
    try:
        await api_of(request).post(
            "identity", f"/v1/registrations/{reg['id']}/documents", data={"kind": kind},
            files={"file": (file.filename or "document", content, file.content_type or "application/octet-stream")},
            headers={"X-Registration-Token": str(reg["token"])})
    except ApiError as error:
        return await _status_page(request, reg, error=error)
    return await _status_page(request, reg, notice=i18n.translate("common.done", request.state.locale))


@router.post("/register/submission")
async def submit(request: Request) -> Response:
    reg = _registration(request)
    if reg is None:
        return RedirectResponse("/register", status_code=303)
    try:
        await api_of(request).post("identity", f"/v1/registrations/{reg['id']}/submission",
                                   headers={"X-Registration-Token": str(reg["token"])})
    except ApiError as error:
        return await _status_page(request, reg, error=error)
    return await _status_page(request, reg, notice=i18n.translate("common.done", request.state.locale))


@router.post("/register/activation")
async def activate(request: Request, password: str = Form(...)) -> Response:
    reg = _registration(request)
    if reg is None:
        return RedirectResponse("/register", status_code=303)
    try:
        enrolment = await api_of(request).post("identity", f"/v1/registrations/{reg['id']}/activation",
                                               json={"password": password},
                                               headers={"X-Registration-Token": str(reg["token"])})
    except ApiError as error:
        return await _status_page(request, reg, error=error)
    return await _status_page(request, reg, enrolment=enrolment)


@router.post("/register/activation/confirmation")
async def confirm(request: Request, totp: str = Form(...)) -> Response:
    reg = _registration(request)
    if reg is None:
        return RedirectResponse("/register", status_code=303)
    try:
        await api_of(request).post("identity", f"/v1/registrations/{reg['id']}/activation/confirmation",
                                   json={"totp": totp.strip()}, headers={"X-Registration-Token": str(reg["token"])})
    except ApiError as error:
        return await _status_page(request, reg, error=error)
    # activation used up the registration token: the registration is over, the cookie goes
    response = await _status_page(request, reg, notice=i18n.translate("register.active", request.state.locale),
                                  known={"individual_id": reg["id"], "status": "active", "documents": []})
    response.delete_cookie(REGISTRATION_COOKIE, path="/")
    return response
