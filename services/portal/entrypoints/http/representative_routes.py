"""Representative changes an entity's representatives request (§95832; registry API).

The registry takes a request as the entity's whole new set of representatives (one primary, one to four
alternates, up to ten viewing agents); the page offers one change at a time (add or remove an alternate
or a viewing agent, make someone primary) and computes that set from the current one. A registrar of the
entity's jurisdiction approves or denies it (`/staff/representative-requests`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.portal import i18n
from services.portal.api import Api, ApiError
from services.portal.entrypoints.http.individual_routes import items, my_accounts
from services.portal.session import User, current_user, get_api
from services.portal.templating import render

router = APIRouter()

CHANGES = ("add_alternate", "remove_alternate", "add_viewing_agent", "remove_viewing_agent", "change_primary")


def current_set(account: dict[str, Any] | None) -> dict[str, Any]:
    reps = (account or {}).get("representatives") or []
    return {"primary": next((r["individual_id"] for r in reps if r.get("role") == "primary"), ""),
            "alternates": [r["individual_id"] for r in reps if r.get("role") == "alternate"],
            "viewing_agents": [r["individual_id"] for r in reps if r.get("role") == "viewing_agent"]}


def changed_set(current: dict[str, Any], change: str, individual: str, locale: str) -> dict[str, Any]:
    """The new set after one change; a change that cannot apply raises ApiError (shown, nothing sent)."""
    primary, alternates, viewers = current["primary"], list(current["alternates"]), list(current["viewing_agents"])
    everyone = {primary, *alternates, *viewers}

    def refuse(key: str, **values: str) -> ApiError:
        return ApiError(422, "invalid_change", i18n.translate(key, locale, id=individual, **values))

    if change in ("add_alternate", "add_viewing_agent"):
        if individual in everyone:
            raise refuse("reps.already")
        (alternates if change == "add_alternate" else viewers).append(individual)
    elif change in ("remove_alternate", "remove_viewing_agent"):
        group = alternates if change == "remove_alternate" else viewers
        if individual not in group:
            raise refuse("reps.not_a_representative",
                         role=i18n.translate("reps.alternates" if group is alternates else "reps.viewing_agents",
                                             locale).lower())
        group.remove(individual)
    elif change == "change_primary":
        if individual == primary:
            raise refuse("reps.already")
        # the former primary stays as an alternate (§95832 needs one to four); the new one leaves other roles
        alternates = [a for a in alternates if a != individual]
        viewers = [v for v in viewers if v != individual]
        if primary:
            alternates.insert(0, primary)
        primary = individual
    else:
        raise ApiError(422, "invalid_change", i18n.translate("reps.unknown_change", locale))
    return {"primary": primary, "alternates": alternates, "viewing_agents": viewers}


async def _entity(api: Api, entity_id: str) -> tuple[dict[str, Any] | None, ApiError | None]:
    """The entity as the person's rights show it (name, accounts) and its current representatives."""
    accounts, error = await my_accounts(api)
    own = [a for a in accounts if str(a.get("entity_id")) == entity_id]
    if not own:
        return None, error or ApiError(404, "not_found", "no such entity among yours")
    detail, derror = await api.get_or_none("registry", f"/v1/accounts/{own[0]['account_number']}")
    return {"entity_id": entity_id, "name": own[0].get("entity_name"), "jurisdiction": own[0].get("jurisdiction"),
            "may_act": any(a.get("may_act") for a in own), "current": current_set(detail)}, derror


async def representatives_page(entity_id: str, request: Request, user: User, api: Api,
                               error: ApiError | None = None, done: str | None = None,
                               form: dict[str, str] | None = None) -> Response:
    entity, read_error = await _entity(api, entity_id)
    if entity is None:
        raise read_error or ApiError(404, "not_found", "no such entity")
    body, rerror = await api.get_or_none("registry", f"/v1/entities/{entity_id}/representative-requests")
    requests = sorted(items(body, "requests"), key=lambda r: str(r.get("requested_at")), reverse=True)
    # only a request of this entity is announced (the id comes back in the query string)
    notice = (i18n.translate("reps.requested", request.state.locale, id=done)
              if done and any(r.get("request_id") == done for r in requests) else None)
    return render(request, "individual/representatives.html", {
        "entity": entity, "requests": requests, "changes": CHANGES, "form": form or {},
        "error": error or read_error or rerror, "notice": notice,
    }, status_code=error.status if error is not None and error.status < 500 else (502 if error else 200))


@router.get("/entities/{entity_id}/representatives")
async def representatives_route(entity_id: str, request: Request, done: str | None = None,
                                user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    return await representatives_page(entity_id, request, user, api, done=done)


@router.post("/entities/{entity_id}/representative-requests")
async def request_change(entity_id: str, request: Request, change: str = Form(""), individual_id: str = Form(""),
                         user: User = Depends(current_user), api: Api = Depends(get_api)) -> Response:
    individual = individual_id.strip()
    try:
        entity, read_error = await _entity(api, entity_id)
        if entity is None or read_error is not None:
            raise read_error or ApiError(404, "not_found", "no such entity")
        body = changed_set(entity["current"], change, individual, request.state.locale)
        created = await api.post("registry", f"/v1/entities/{entity_id}/representative-requests", json=body)
    except ApiError as error:
        return await representatives_page(entity_id, request, user, api, error=error,
                                          form={"change": change, "individual_id": individual})
    return RedirectResponse(f"/entities/{entity_id}/representatives?done={created.get('id', '')}", status_code=303)
