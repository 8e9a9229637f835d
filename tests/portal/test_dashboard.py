"""The operations dashboard over real HTTP: a portal against stand-in services that apply the services'
role rules to the bearer token they receive; panels appear only where the service answers."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.portal import dashboard
from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from services.portal.session import SESSION_COOKIE, CookieSealer
from shared.testing.server import RunningService, serve

SECRET = "dashboard-test-secret"
STATISTICS = {
    "as_of": "2026-11-23T12:00:00+00:00", "jurisdictions": ["CA"], "age_buckets": list(dashboard.AGE_BUCKETS),
    "by_state_and_age": {"proposed": {"lt_1d": 2, "1_2d": 1, "2_3d": 0, "gt_3d": 0},
                         "awaiting_approval": {"lt_1d": 0, "1_2d": 0, "2_3d": 1, "gt_3d": 4},
                         "recorded": {"lt_1d": 9, "1_2d": 0, "2_3d": 0, "gt_3d": 0}},
    "deadlines_next_24h": {"from": "2026-11-23T12:00:00+00:00", "until": "2026-11-24T12:00:00+00:00",
                           "counts": {"confirmation": 1, "acceptance": 0, "documentation": 2},
                           "upcoming": [{"kind": "confirmation", "due_at": "2026-11-23T20:00:00+00:00",
                                         "transfer_id": "tr_due_soon", "reference": "tr_due_soon"}]},
}
BUS = {"service": "x", "outbox": {"pending": 5, "oldest_pending_age_seconds": 1.5, "published_unconfirmed": 2},
       "consumers": [{"group": "x", "lag": {"t": 7}, "lag_total": 7, "dead_lettered": 3}],
       "consumer_lag_total": 7, "dead_lettered_since_start": 3}
RESULTS = [{"auction_id": "auc_1", "auction_date": "2026-02-18", "published_at": "2026-02-25T00:00:00+00:00",
            "current": {"settlement_price_usd": "28.10", "offered": 100_000, "sold": 30_000},
            "advance": {"settlement_price_usd": "27.60", "offered": 30_000, "sold": 10_000}},
           {"auction_id": "auc_2", "auction_date": "2026-05-20", "published_at": "2026-05-27T00:00:00+00:00",
            "current": {"settlement_price_usd": "29.95", "offered": 90_000, "sold": 90_000},
            "advance": {"settlement_price_usd": None, "offered": 30_000, "sold": 0}}]


def _token(roles: list[str]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"sub": "ind_1", "roles": roles}).encode()).decode().rstrip("=")
    return f"e30.{payload}.sig"


def _roles(request: Request) -> set[str]:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    try:
        part = token.split(".")[1]
        return set(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["roles"])
    except (IndexError, ValueError, KeyError):
        return set()


def _refused() -> JSONResponse:
    return JSONResponse(status_code=403, content={"error": {"code": "forbidden", "message": "no", "details": {}}})


def stub_services(*, broken_reconciliation: bool = False) -> FastAPI:
    """The rules of docs/operations.md, on the roles of the token received."""
    app = FastAPI()

    def has(request: Request, *roles: str) -> bool:
        return any(r.split(":")[0] in roles for r in _roles(request))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/v1/ops/statistics")
    async def statistics(request: Request) -> Any:
        if not has(request, "executive_officer", "accounts_administrator", "registrar", "market_monitor"):
            return _refused()
        return STATISTICS

    @app.get("/ops/bus")
    async def bus(request: Request) -> Any:
        return BUS if any(":" in r for r in _roles(request)) else _refused()

    @app.get("/v1/ops/reconciliation")
    async def reconciliation(request: Request) -> Any:
        if not has(request, "executive_officer", "accounts_administrator", "market_monitor"):
            return _refused()
        if broken_reconciliation:
            return JSONResponse(status_code=500, content={"error": {"code": "internal", "message": "boom",
                                                                    "details": {}}})
        return {"consistent": True, "journal_entries": 12, "movements": 30, "blocks": 8, "accounts": 5,
                "created": 1000, "held": 1000, "problems": []}

    @app.get("/v1/results")
    async def results() -> Any:
        return RESULTS

    return app


@contextlib.asynccontextmanager
async def portal(**stub: Any) -> AsyncIterator[RunningService]:
    async with serve(stub_services(**stub), wait_ready=False) as services:
        urls = {f"{s}_url": services.url for s in ("identity", "registry", "transfers", "auction")}
        settings = Settings(**urls, financial_url="http://127.0.0.1:9",  # nobody listens: shown as unavailable
                            cookie_secret=SECRET, cookie_secure=False, log_json=False, log_level="WARNING")
        app = create_app(settings)
        if not any(getattr(r, "path", "") == "/ops/dashboard" for r in app.routes):
            app.include_router(dashboard.router, prefix="/ops")
        async with serve(app) as running:
            yield running


def browser(running: RunningService, roles: list[str] | None, **headers: str) -> httpx.AsyncClient:
    cookies = {}
    if roles is not None:
        session = {"at": _token(roles), "rt": "", "exp": time.time() + 3600, "sub": "ind_1", "name": "Pat Staff",
                   "kind": "individual", "roles": roles}
        cookies[SESSION_COOKIE] = CookieSealer(SECRET.encode()).seal("session", session)
    return httpx.AsyncClient(base_url=running.url, cookies=cookies, headers=headers, follow_redirects=False,
                             timeout=30.0)


def _panels(html: str) -> list[str]:
    return re.findall(r'<section class="ops-panel" id="panel-(\w+)"', html)


async def test_the_market_monitor_sees_every_panel_drawn_as_accessible_svg_without_script_or_inline_style():
    async with portal() as running, browser(running, ["market_monitor:CA"]) as client:
        r = await client.get("/ops")
        same = await client.get("/ops/dashboard")
    assert r.status_code == 200, r.text
    assert same.status_code == 200
    assert _panels(r.text) == ["transfers", "bus", "reconciliation", "auctions"]
    html = r.text
    assert html.count('role="img"') == 7  # age, deadlines, outbox, lag, dead letters, prices, sold
    assert "<title id=\"ops-transfers-age-title\">Open requests by state and age</title>" in html
    assert "tr_due_soon" in html and "Confirmation (§95921(a)(1)(B))" in html
    assert "Consistent" in html
    assert "<script>" not in html and " style=" not in html
    assert re.search(r"<th scope=\"row\">financial</th><td colspan=\"5\" class=\"error\">Unavailable", html)
    assert "29.95" in html and "28.10" in html  # the prices, in the data table of the line chart
    assert "recorded" not in re.findall(r'id="ops-transfers-age-table".*?</table>', html, re.S)[0]  # open only


async def test_an_auction_administrator_does_not_see_transfers_or_the_reconciliation():
    async with portal() as running, browser(running, ["auction_administrator:CA"]) as client:
        r = await client.get("/ops")
    assert r.status_code == 200
    assert _panels(r.text) == ["bus", "auctions"]
    assert "tr_due_soon" not in r.text


async def test_an_individual_sees_only_the_public_auction_results():
    async with portal() as running, browser(running, ["individual"]) as client:
        r = await client.get("/ops")
    assert _panels(r.text) == ["auctions"]


async def test_a_failing_service_shows_its_panel_with_the_error_and_the_rest_of_the_page():
    async with portal(broken_reconciliation=True) as running, browser(running, ["executive_officer:CA"]) as client:
        r = await client.get("/ops")
    assert _panels(r.text) == ["transfers", "bus", "reconciliation", "auctions"]
    section = r.text.split('id="panel-reconciliation"')[1].split("</section>")[0]
    assert 'role="alert"' in section and "Boom (internal)" in section


async def test_the_dashboard_speaks_french_and_needs_a_signed_in_person():
    async with portal() as running:
        async with browser(running, ["market_monitor:QC"], **{"accept-language": "fr-CA,fr;q=0.9"}) as client:
            r = await client.get("/ops")
        async with browser(running, None) as anonymous:
            redirect = await anonymous.get("/ops")
    assert "Tableau de bord de l&#39;exploitation" in r.text or "Tableau de bord de l'exploitation" in r.text
    assert "Vente courante" in r.text and "Échéances dans les prochaines 24 heures" in r.text
    assert redirect.status_code == 303 and redirect.headers["location"].startswith("/signin")
