"""Every page renders with what the services answer (a stand-in app with the services' shapes), for a
signed-in representative and for staff, in English and French, and shows only the actions allowed."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from services.portal.session import SESSION_COOKIE, CookieSealer
from shared.testing.server import RunningService, serve

SECRET = "render-test-secret"
SOURCE, DEST = "CA-00000019-18", "CA-00000023-06"
TRANSFER = {"transfer_id": "tr_1", "status": "proposed", "source_account": SOURCE, "destination_account": DEST,
            "jurisdiction": "CA", "instrument": {"instrument_type": "allowance", "jurisdiction": "CA", "vintage": 2026},
            "quantity": 250, "submitted_by": "ind_alice", "deadline": "2999-01-01T00:00:00+00:00", "flags": [],
            "outcome": None}


def services() -> FastAPI:
    app = FastAPI()
    routes: dict[str, Any] = {
        "/healthz": {"status": "alive"},
        "/v1/me/accounts": {"accounts": [
            {"account_number": SOURCE, "account_type": "holding", "entity_id": "ent_1", "entity_name": "Golden State",
             "role": "alternate", "status": "open", "may_act": True},
            {"account_number": DEST, "account_type": "holding", "entity_id": "ent_2", "entity_name": "Pacific",
             "role": "viewing_agent", "status": "open", "may_act": False}]},
        f"/v1/accounts/{SOURCE}/holdings": {"balances": [
            {"instrument_type": "allowance", "jurisdiction": "CA", "vintage": 2026, "quantity": 9750,
             "reserved": 250}]},
        f"/v1/accounts/{DEST}/holdings": {"balances": []},
        "/v1/transfers": [TRANSFER],
        "/v1/transfers/tr_1": TRANSFER,
        "/v1/notifications": [{"id": "n1", "recipient": "ind_bruno", "transfer_id": "tr_1", "kind": "transfer.proposed",
                               "message": "confirm by Tuesday", "created_at": "2026-11-23T10:00:00+00:00"}],
        "/v1/auctions": [{"auction_id": "auc_1", "name": "Joint Auction #45", "phase": "bidding"}],
        "/v1/auctions/auc_1/applications/ent_1": {"status": "approved"},
        "/v1/auctions/auc_1/applications": [{"entity_id": "ent_1", "status": "submitted"}],
        "/v1/auctions/auc_1/bids": [{"price": "30.00", "currency": "USD", "quantity": 1000, "status": "active"}],
        "/v1/auctions/auc_1/guarantees": [{"guarantee_id": "g1", "entity_id": "ent_1", "amount": "50000.00",
                                           "currency": "USD", "status": "accepted"}],
        "/v1/auctions/auc_1/invoices": [{"invoice_id": "i1", "amount": "30000.00", "currency": "USD",
                                         "status": "open", "due_at": "2026-12-01"}],
        "/v1/auctions/auc_1/settlement": {"invoices": 1, "paid": 0},
        "/v1/individuals": [{"individual_id": "ind_x", "legal_name": "Xavier New", "email": "x@example.org",
                             "jurisdiction": "CA", "status": "documents_submitted"}],
        "/v1/individuals/ind_x": {"individual_id": "ind_x", "legal_name": "Xavier New", "status": "documents_submitted",
                                  "documents": [{"id": "d1", "kind": "government_id", "content_type": "application/pdf",
                                                 "size_bytes": 100}]},
        "/v1/entities": {"entities": [{"entity_id": "ent_3", "legal_name": "New Co", "entity_type": "covered",
                                       "jurisdiction": "CA", "status": "applied"}]},
        "/v1/entities/ent_3/representative-requests": {"requests": [{"request_id": "rr1", "status": "pending"}]},
    }
    for path, body in routes.items():
        app.add_api_route(path, (lambda b: (lambda: b))(body), methods=["GET"])
    app.state.calls = []

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        form = dict(await request.form())
        app.state.calls.append(form)
        if form.get("grant_type") == "refresh_token":
            return JSONResponse({"access_token": "new.access.token", "refresh_token": "refresh-2", "expires_in": 300})
        return JSONResponse(status_code=400, content={"error": "invalid_grant",
                                                      "error_description": "the one-time code is not valid"})

    @app.post("/oauth/revoke")
    async def revoke(request: Request) -> JSONResponse:
        app.state.calls.append({"revoked": (await request.form()).get("token")})
        return JSONResponse({})

    return app


@contextlib.asynccontextmanager
async def signed_in(roles: list[str], expires_in: float = 3600
                    ) -> AsyncIterator[tuple[RunningService, httpx.AsyncClient]]:
    async with serve(services(), wait_ready=False) as stub:
        urls = {f"{s}_url": stub.url for s in ("identity", "registry", "transfers", "auction", "financial")}
        settings = Settings(**urls, cookie_secret=SECRET, cookie_secure=False, log_json=False, log_level="WARNING")
        async with serve(create_app(settings)) as portal:
            cookie = CookieSealer(SECRET.encode()).seal("session", {
                "at": "a.b.c", "rt": "refresh", "exp": time.time() + expires_in, "sub": "ind_bruno", "name": "Bruno",
                "roles": roles, "kind": "individual"})
            async with httpx.AsyncClient(base_url=portal.url, cookies={SESSION_COOKIE: cookie}) as client:
                client.stub = stub  # type: ignore[attr-defined]
                yield portal, client


async def test_a_representatives_pages_render_with_the_services_data():
    async with signed_in(["individual"]) as (_, client):
        accounts = await client.get("/accounts")
        assert accounts.status_code == 200 and "9750" in accounts.text and "Golden State" in accounts.text
        transfers = await client.get("/transfers")
        assert transfers.status_code == 200 and "proposed" in transfers.text and "left" in transfers.text
        assert f'<option value="{SOURCE}"' in transfers.text and f'<option value="{DEST}"' not in transfers.text
        one = await client.get("/transfers/tr_1")
        assert one.status_code == 200
        assert 'action="/transfers/tr_1/confirm"' in one.text  # Bruno did not submit it: he may confirm
        assert "/determination" not in one.text and "/accept" not in one.text
        assert 'hx-get="/transfers/tr_1/status"' in one.text
        assert (await client.get("/transfers/tr_1/status")).text == "proposed"
        for page, expected in (("/notifications", "confirm by Tuesday"), ("/auctions", "Joint Auction #45"),
                               ("/financial", "50000.00")):
            r = await client.get(page)
            assert r.status_code == 200 and expected in r.text, page
        staff = await client.get("/staff/kyc")
        assert staff.status_code == 403 and 'role="alert"' in staff.text


async def test_staff_pages_render_for_their_roles_in_french():
    roles = ["registrar:CA", "executive_officer:CA", "auction_administrator:CA",
             "financial_services_administrator:CA"]
    async with signed_in(roles) as (_, client):
        client.cookies.set("capreg_lang", "fr")
        for page, expected in (("/staff/kyc", "Xavier New"), ("/staff/kyc/ind_x", "Pièce d'identité"),
                               ("/staff/entities", "New Co"), ("/staff/representative-requests", "rr1"),
                               ("/staff/transfers", "Transferts en attente de décision"),
                               ("/staff/restrictions", "New Co"), ("/staff/auctions", "Administration des enchères"),
                               ("/staff/settlement", "Joint Auction #45"), ("/transfers/tr_1", "Consigner une lacune")):
            r = await client.get(page)
            assert r.status_code == 200, (page, r.text[:500])
            assert expected in r.text.replace("&#39;", "'"), page
        transfer = await client.get("/transfers/tr_1")  # proposed: not yet the Executive Officer's decision
        assert "/determination" not in transfer.text


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def test_a_wrong_one_time_code_shows_identitys_message_and_keeps_the_form():
    async with signed_in(["individual"]) as (_, client):
        token = _csrf((await client.get("/transfers")).text)
        r = await client.post("/transfers", data={
            "csrf_token": token, "source_account": SOURCE, "destination_account": DEST, "instrument_type": "allowance",
            "vintage": "2026", "quantity": "250", "price": "31.25", "totp": "123456"})
        assert r.status_code == 400
        assert 'role="alert"' in r.text and "The one-time code is not valid (invalid_grant)" in r.text
        assert f'value="{DEST}"' in r.text and "123456" not in r.text
        calls = client.stub.app.state.calls  # type: ignore[attr-defined]
        assert calls[-1]["grant_type"] == "urn:capreg:params:oauth:grant-type:step-up"
        assert calls[-1]["refresh_token"] == "refresh" and calls[-1]["client_id"] == "capreg-portal"


async def test_an_expiring_access_token_is_refreshed_once_and_sign_out_revokes():
    async with signed_in(["individual"], expires_in=5) as (_, client):
        pages = await asyncio.gather(client.get("/accounts"), client.get("/notifications"))
        assert all(p.status_code == 200 for p in pages)
        calls = client.stub.app.state.calls  # type: ignore[attr-defined]
        assert [c["grant_type"] for c in calls] == ["refresh_token"], "two requests, one refresh"
        assert "capreg_session=" in pages[0].headers["set-cookie"]
        client.cookies.set(SESSION_COOKIE, pages[0].headers["set-cookie"].split("capreg_session=")[1].split(";")[0])
        token = _csrf((await client.get("/")).text)
        out = await client.post("/signout", data={"csrf_token": token})
        assert out.status_code == 200 and calls[-1] == {"revoked": "refresh-2"}
        assert re.search(r'capreg_session=(""|);.*Max-Age=0', out.headers["set-cookie"]), out.headers["set-cookie"]
