"""Auction pages (docs/auction.md): account representatives apply, give the FSA's information and bid;
the auction administrator and the executive officer publish notices, decide applications, control the
bidding window, clear, certify and read the results.

The auction service decides every rule and says what a person may see (bids and applications are
confidential, §95914(c)); the portal only hides forms a person's roles cannot use and shows what the
service refuses — for a refused bid, the limit it breaks with the service's figures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.portal import i18n, market_messages  # noqa: F401  (its import merges the page texts)
from services.portal.api import Api, ApiError
from services.portal.entrypoints.http.individual_routes import items, my_accounts
from services.portal.entrypoints.http.staff_routes import requires
from services.portal.session import User, current_user, get_api
from services.portal.templating import render

router = APIRouter()

POOLS = ("current", "advance")
JURISDICTIONS = ("CA", "QC")
# refusals of a bid that name a limit (docs/auction.md "Bid checks"); shown with the service's figures
LIMIT_CODES = ("purchase_limit_exceeded", "holding_limit_exceeded", "bid_guarantee_exceeded", "below_reserve_price",
               "not_in_lots", "not_whole_cents", "too_many_bids", "currency_not_allowed", "bidding_window_closed")
NOTICES = {"applied": "mkt.applied", "bid": "mkt.bid_placed", "changed": "mkt.bid_changed",
           "withdrawn": "mkt.bid_withdrawn", "fsa": "mkt.fsa_saved", "published": "mkt.published",
           "1": "common.done"}

auction_staff = requires("auction_administrator", "executive_officer")


def _status(error: ApiError | None) -> int:
    return 200 if error is None else error.page_status


def _notice(request: Request, done: str | None) -> str | None:
    return i18n.translate(NOTICES[done], request.state.locale) if done in NOTICES else None


def _refusal(request: Request, error: ApiError | None) -> dict[str, Any] | None:
    """The limit a refused bid breaks, with the service's figures (`details`)."""
    if error is None or error.code not in LIMIT_CODES:
        return None
    limit = i18n.translate(f"mkt.limit.{error.code}", request.state.locale)
    return {"code": error.code, "limit": i18n.translate("mkt.refused_limit", request.state.locale, limit=limit),
            "message": error.text, "details": sorted((str(k), str(v)) for k, v in error.details.items())}


def auction_id_of(auction: dict[str, Any]) -> str:
    return str(auction.get("auction_id") or auction.get("id") or "")


async def list_auctions(api: Api) -> tuple[list[dict[str, Any]], ApiError | None]:
    body, error = await api.get_or_none("auction", "/v1/auctions")
    return items(body, "auctions"), error


# -- account representatives --------------------------------------------------------------------------------
async def auctions_page(request: Request, user: User, api: Api, error: ApiError | None = None,
                        done: str | None = None, form: dict[str, str] | None = None) -> Response:
    auctions, aerror = await list_auctions(api)
    accounts, _ = await my_accounts(api)
    entities = sorted({(str(a.get("entity_id")), str(a.get("entity_name") or a.get("entity_id")))
                       for a in accounts if a.get("may_act")})
    fsa, _ = await api.get_or_none("auction", f"/v1/representatives/{user.individual_id}/fsa-information")
    rows = []
    for auction in auctions:
        aid = auction_id_of(auction)
        phase = str(auction.get("phase") or auction.get("status") or "")
        mine = []
        for entity_id, name in entities:
            application, _ = await api.get_or_none("auction", f"/v1/auctions/{aid}/applications/{entity_id}")
            bids, _ = await api.get_or_none("auction", f"/v1/auctions/{aid}/bids", params={"entity_id": entity_id})
            bids_by_pool = {p: [b for b in items(bids, "bids") if b.get("pool", "current") == p] for p in POOLS}
            status = application.get("status") if isinstance(application, dict) else None
            mine.append({"entity_id": entity_id, "name": name, "application": application,
                         "terms": (application or {}).get("bidding_terms") if isinstance(application, dict) else None,
                         "bids": bids_by_pool,
                         "may_apply": application is None and phase == "applications_open",
                         "may_bid": status == "approved" and phase == "bidding_open"})
        rows.append({"auction": auction, "id": aid, "phase": phase, "mine": mine})
    return render(request, "auction/list.html", {
        "auctions": rows, "entities": entities, "fsa": fsa if isinstance(fsa, dict) else None,
        "error": error or aerror, "refusal": _refusal(request, error), "notice": _notice(request, done),
        "form": form or {}, "pools": POOLS}, status_code=_status(error))


@router.get("/auctions")
async def auctions_route(request: Request, done: str | None = None, user: User = Depends(current_user),
                         api: Api = Depends(get_api)) -> Response:
    return await auctions_page(request, user, api, done=done)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.form()
    return {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}


@router.post("/auctions/fsa-information")
async def fsa_information(request: Request, user: User = Depends(current_user),
                          api: Api = Depends(get_api)) -> Response:
    form = await _form(request)
    body: dict[str, Any] = {k: form.get(k, "") for k in ("legal_name", "title", "employer", "telephone", "email",
                                                         "mailing_address")}
    body["attests_information_is_true"] = form.get("attests") == "yes"  # §95912(d)(6)(B) attestation
    try:
        await api.put("auction", "/v1/representatives/me/fsa-information", json=body)
    except ApiError as error:
        return await auctions_page(request, user, api, error=error, form=form)
    return RedirectResponse("/auctions?done=fsa", status_code=303)


@router.post("/auctions/{auction_id}/applications")
async def apply(auction_id: str, request: Request, user: User = Depends(current_user),
                api: Api = Depends(get_api)) -> Response:
    form = await _form(request)
    associations = [{"entity_id": e.strip(), "kind": "direct"}
                    for e in form.get("associations", "").split(",") if e.strip()]
    body = {"entity_id": form.get("entity_id", ""), "currency": form.get("currency") or "USD",
            "intends_to_bid": form.get("intends_to_bid") == "yes",
            "eligibility": {"corporate_associations": associations,
                            "purchase_limit_share": form.get("purchase_limit_share") or "1",
                            "holding_limit_share": form.get("holding_limit_share") or "1",
                            "holding_limit_headroom": _int(form.get("holding_limit_headroom")),
                            "investigation_attestation": {
                                "has_investigations": form.get("has_investigations") == "yes",
                                "details": form.get("investigation_details", "")}}}
    try:
        await api.post("auction", f"/v1/auctions/{auction_id}/applications", json=body)
    except ApiError as error:
        return await auctions_page(request, user, api, error=error, form=form)
    return RedirectResponse("/auctions?done=applied", status_code=303)


def _int(value: str | None) -> int | str:
    # a number the service checks; anything else goes as typed so the service's message names the field
    try:
        return int(str(value or "").replace(",", "").replace(" ", ""))
    except ValueError:
        return str(value or "")


@router.post("/auctions/{auction_id}/bids")
async def place_bid(auction_id: str, request: Request, entity_id: str = Form(...), pool: str = Form("current"),
                    price: str = Form(""), currency: str = Form("USD"), quantity: str = Form(""),
                    totp: str = Form(""), user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    body = {"entity_id": entity_id, "pool": pool, "price": price.strip(), "currency": currency,
            "quantity": _int(quantity)}
    try:
        token = await api.step_up(user.refresh_token, totp)
        await api.post("auction", f"/v1/auctions/{auction_id}/bids", json=body, token=token)
    except ApiError as error:
        form = {"entity_id": entity_id, "pool": pool, "price": price, "quantity": quantity}
        return await auctions_page(request, user, api, error=error, form=form)
    return RedirectResponse("/auctions?done=bid", status_code=303)


@router.post("/auctions/{auction_id}/bids/{bid_id}/{action}")
async def change_bid(auction_id: str, bid_id: str, action: str, request: Request, price: str = Form(""),
                     quantity: str = Form(""), totp: str = Form(""), user: User = Depends(current_user),
                     api: Api = Depends(get_api)) -> Response:
    if action not in ("change", "withdraw"):
        raise ApiError(404, "not_found", i18n.translate("error.not_found", user.locale))
    path = f"/v1/auctions/{auction_id}/bids/{bid_id}"
    try:
        token = await api.step_up(user.refresh_token, totp)
        if action == "change":
            await api.put("auction", path, json={"price": price.strip(), "quantity": _int(quantity)}, token=token)
        else:
            await api.delete("auction", path, token=token)
    except ApiError as error:
        return await auctions_page(request, user, api, error=error)
    return RedirectResponse(f"/auctions?done={'changed' if action == 'change' else 'withdrawn'}", status_code=303)


# -- the auction administrator and the executive officer ----------------------------------------------------
async def admin_page(request: Request, user: User, api: Api, error: ApiError | None = None,
                     done: str | None = None, form: dict[str, str] | None = None) -> Response:
    auctions, read_error = await list_auctions(api)
    rows: list[dict[str, Any]] = []
    for auction in auctions:
        aid = auction_id_of(auction)
        jurisdictions = [str(j) for j in auction.get("jurisdictions") or []]
        admin = any(user.has_role("auction_administrator", j) for j in jurisdictions) or not jurisdictions
        officer = any(user.has_role("executive_officer", j) for j in jurisdictions) or not jurisdictions
        apps, _ = await api.get_or_none("auction", f"/v1/auctions/{aid}/applications")
        phase = str(auction.get("phase") or auction.get("status") or "")
        summary = results = None
        if phase in ("cleared", "certified", "not_certified"):
            summary, _ = await api.get_or_none("auction", f"/v1/auctions/{aid}/clearing/summary")
        if phase == "certified":
            results, _ = await api.get_or_none("auction", f"/v1/auctions/{aid}/results")
        rows.append({"id": aid, "auction": auction, "phase": phase, "applications": items(apps, "applications"),
                     "is_admin": admin and user.has_role("auction_administrator"),
                     "is_officer": officer and user.has_role("executive_officer"),
                     "summary": summary if isinstance(summary, dict) else None,
                     "results": results if isinstance(results, dict) else None})
    return render(request, "auction/admin.html", {
        "auctions": rows, "error": error or read_error, "notice": _notice(request, done), "form": form or {},
        "is_admin": user.has_role("auction_administrator"), "is_officer": user.has_role("executive_officer"),
        "admin_jurisdictions": user.jurisdictions("auction_administrator") or list(JURISDICTIONS),
        "pools": POOLS}, status_code=_status(error))


@router.get("/staff/auctions")
async def admin_route(request: Request, done: str | None = None, user: User = Depends(auction_staff),
                      api: Api = Depends(get_api)) -> Response:
    return await admin_page(request, user, api, done=done)


def _instant(value: str | None) -> str:
    """A datetime-local field (UTC, as the form says) as ISO 8601 with its offset."""
    try:
        moment = datetime.fromisoformat(str(value or ""))
    except ValueError:
        return str(value or "")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def notice_body(form: dict[str, str], jurisdictions: list[str]) -> dict[str, Any]:
    """§95912(c)(1)-(8) from the form: window, texts, quantities per pool and jurisdiction, annual budget."""
    offers: dict[str, dict[str, Any]] = {p: {} for p in POOLS}
    for pool in POOLS:
        for j in jurisdictions:
            quantity = form.get(f"offer_{pool}_{j}", "")
            if quantity:
                offers[pool][j] = {"state_owned": _int(quantity)}
    annual = {j: _int(form[f"annual_{j}"]) for j in jurisdictions if form.get(f"annual_{j}")}
    body: dict[str, Any] = {"jurisdictions": jurisdictions, "bidding_opens_at": _instant(form.get("opens_at")),
                            "bidding_closes_at": _instant(form.get("closes_at")), "offers": offers}
    for key in ("application_instructions", "bid_submission", "procedures", "administrative_requirements"):
        body[key] = form.get(key, "")
    if annual:
        body["annual_allowances"] = annual
    return body


@router.post("/staff/auctions")
async def publish(request: Request, user: User = Depends(requires("auction_administrator")),
                  api: Api = Depends(get_api)) -> Response:
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str) and k != "jurisdictions"}
    jurisdictions = [str(j) for j in raw.getlist("jurisdictions") if str(j) in JURISDICTIONS]
    try:
        await api.post("auction", "/v1/auctions", json=notice_body(form, jurisdictions))
    except ApiError as error:
        return await admin_page(request, user, api, error=error, form=form)
    return RedirectResponse("/staff/auctions?done=published", status_code=303)


@router.post("/staff/auctions/{auction_id}/window/{action}")
async def window(auction_id: str, action: str, request: Request, minutes: str = Form(""), reason: str = Form(""),
                 opens_at: str = Form(""), closes_at: str = Form(""), user: User = Depends(auction_staff),
                 api: Api = Depends(get_api)) -> Response:
    """§95912(j): delay the opening (at most an hour in all) or reschedule the window."""
    if action == "delay":
        path, body = "delay", {"minutes": _int(minutes), "reason": reason}
    elif action == "reschedule":
        path, body = "reschedule", {"bidding_opens_at": _instant(opens_at), "bidding_closes_at": _instant(closes_at),
                                    "reason": reason}
    else:
        raise ApiError(404, "not_found", i18n.translate("error.not_found", user.locale))
    try:
        await api.post("auction", f"/v1/auctions/{auction_id}/bidding-window/{path}", json=body)
    except ApiError as error:
        return await admin_page(request, user, api, error=error)
    return RedirectResponse("/staff/auctions?done=1", status_code=303)


AUCTION_ACTIONS = {"clearing": ("/clearing", True), "certify": ("/certification", True),
                   "cancel": ("/cancellation", False)}


@router.post("/staff/auctions/{auction_id}/{action}")
async def auction_action(auction_id: str, action: str, request: Request, note: str = Form(""),
                         meets_requirements: str = Form("yes"), totp: str = Form(""),
                         user: User = Depends(auction_staff), api: Api = Depends(get_api)) -> Response:
    if action not in AUCTION_ACTIONS:
        raise ApiError(404, "not_found", i18n.translate("error.not_found", user.locale))
    suffix, needs_step_up = AUCTION_ACTIONS[action]
    body: dict[str, Any] = {}
    if action == "certify":
        body = {"meets_requirements": meets_requirements == "yes", "note": note or None}
    elif action == "cancel":
        body = {"reason": note}
    try:
        token = await api.step_up(user.refresh_token, totp) if needs_step_up else None
        await api.post("auction", f"/v1/auctions/{auction_id}{suffix}", json=body, token=token)
    except ApiError as error:
        return await admin_page(request, user, api, error=error)
    return RedirectResponse("/staff/auctions?done=1", status_code=303)


@router.post("/staff/auctions/{auction_id}/applications/{entity_id}/{step}")
async def application_step(auction_id: str, entity_id: str, step: str, request: Request,
                           decision: str = Form("approve"), reason: str = Form(""),
                           user: User = Depends(requires("executive_officer")),
                           api: Api = Depends(get_api)) -> Response:
    """§95912(d)(1) eligibility, then (e) participation: the executive officer of the entity's jurisdiction."""
    if step not in ("eligibility", "participation"):
        raise ApiError(404, "not_found", i18n.translate("error.not_found", user.locale))
    body = {"decision": "deny" if decision == "deny" else "approve", "reason": reason or None}
    try:
        await api.post("auction", f"/v1/auctions/{auction_id}/applications/{entity_id}/{step}", json=body)
    except ApiError as error:
        return await admin_page(request, user, api, error=error)
    return RedirectResponse("/staff/auctions?done=1", status_code=303)
