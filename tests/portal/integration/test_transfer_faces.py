"""The portal's transfers and registry faces against the REAL transfers and registry services (real HTTP,
PostgreSQL and broker; tokens from the test issuer): representative-change requests and the registrar's
decision, deficiencies with resubmission and withdrawal, documentation requests with uploads and the staff
queue. Identity is a stand-in that answers the step-up grant with a real token of the test issuer."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from services.portal.session import SESSION_COOKIE, CookieSealer
from services.registry.application.demo import load_demo
from services.transfers.adapters.orm import accounts as transfer_accounts
from shared.testing.server import RunningService, eventually, serve

pytestmark = pytest.mark.integration

SECRET = "faces-test-secret"
CODE = "246810"  # the one-time code the stand-in identity accepts


def stand_in_identity(issuer: Any) -> FastAPI:
    """Answers the portal's step-up grant like identity: a 5-minute token with a fresh one-time-code proof."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        _, subject, roles = str(form.get("refresh_token")).split("|")
        if form.get("totp") != CODE:
            return JSONResponse(status_code=400, content={"error": "invalid_grant",
                                                          "error_description": "the one-time code is not valid"})
        return JSONResponse({"access_token": issuer.mint(subject, roles=roles.split(","), mfa=True, ttl=300),
                             "token_type": "Bearer", "expires_in": 300})

    return app


@dataclass
class Faces:
    portal: RunningService
    registry: RunningService
    transfers: RunningService
    issuer: Any
    demo: dict[str, Any]
    people: dict[str, str]

    def browser(self, subject: str, roles: list[str], locale: str = "en") -> httpx.AsyncClient:
        """A browser with a signed-in session of `subject` (the cookie the callback would have set)."""
        cookie = CookieSealer(SECRET.encode()).seal("session", {
            "at": self.issuer.mint(subject, roles=roles, mfa=False, ttl=900), "rt": f"rt|{subject}|{','.join(roles)}",
            "exp": time.time() + 900, "sub": subject, "name": subject, "roles": roles, "kind": "individual"})
        return httpx.AsyncClient(base_url=self.portal.url, cookies={SESSION_COOKIE: cookie, "capreg_lang": locale},
                                 follow_redirects=False, timeout=30.0)

    def api(self, subject: str, roles: tuple[str, ...] = ("individual",)) -> httpx.AsyncClient:
        return self.transfers.client(self.issuer.mint(subject, roles=roles, mfa=True))

    async def transfer(self, transfer_id: str) -> dict[str, Any]:
        async with self.api("eo_faces", ("executive_officer:CA",)) as c:
            r = await c.get(f"/v1/transfers/{transfer_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def awaiting_approval(self) -> str:
        """A transfer from the first demo entity to the second, confirmed and accepted through the API."""
        accounts = [e["accounts"]["holding"] for e in self.demo["entities"]]
        today = time.strftime("%Y-%m-%d", time.gmtime())
        body = {"source_account": accounts[0], "destination_account": accounts[1], "quantity": 10,
                "instrument": {"instrument_type": "allowance", "vintage": self.demo["vintage"]},
                "transaction": {"transaction_type": "otc_spot", "agreement_date": today,
                                "expected_termination_date": today, "price": "29.15", "currency": "USD",
                                "agreement": {"kind": "written", "reference": "MSA-1"}}}
        async with self.api(self.people["alice"]) as c:
            r = await c.post("/v1/transfers", json=body)
        assert r.status_code == 201, r.text
        tid = r.json()["transfer_id"]

        async def proposed() -> bool:
            return (await self.transfer(tid))["status"] == "proposed"

        await eventually(proposed, timeout=20)
        for who, step in (("bruno", "confirm"), ("chloe", "accept")):
            async with self.api(self.people[who]) as c:
                r = await c.post(f"/v1/transfers/{tid}/{step}")
            assert r.status_code == 200, r.text
        assert r.json()["status"] == "awaiting_approval"
        return str(tid)


@pytest.fixture(scope="module")
async def faces(service_factory: Any, issuer: Any) -> AsyncIterator[Faces]:
    people = {name: f"ind_{name}_faces" for name in ("alice", "bruno", "chloe", "dave")}
    async with service_factory("registry") as registry, service_factory("transfers") as transfers, \
            serve(stand_in_identity(issuer[0]), wait_ready=False) as identity:
        demo = await load_demo(registry.runtime, representatives=[(people[n], n.title()) for n in people],
                               allowances_each=1_000)
        numbers = [e["accounts"]["holding"] for e in demo["entities"]]

        async def projected() -> bool:  # transfers learnt the accounts from the registry over the bus
            async with transfers.runtime.uow() as uow:
                rows = (await uow.session.execute(select(transfer_accounts.c.account_number).where(
                    transfer_accounts.c.account_number.in_(numbers)))).all()
            return len(rows) == len(numbers)

        await eventually(projected, timeout=30)
        settings = Settings(identity_url=identity.url, registry_url=registry.url, transfers_url=transfers.url,
                            auction_url=registry.url, financial_url=registry.url, cookie_secret=SECRET,
                            cookie_secure=False, log_json=False, log_level="WARNING")
        async with serve(create_app(settings)) as portal:
            yield Faces(portal, registry, transfers, issuer[0], demo, people)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field"
    return match.group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("&#39;", "'").replace("&#34;", '"'))


async def test_a_representative_requests_a_change_and_the_registrar_approves_it(faces):
    entity = faces.demo["entities"][0]["entity_id"]
    alice, dave = faces.people["alice"], faces.people["dave"]
    async with faces.browser(alice, ["individual"]) as browser:
        accounts = await browser.get("/accounts")
        assert f'href="/entities/{entity}/representatives"' in accounts.text
        page = await browser.get(f"/entities/{entity}/representatives")
        assert page.status_code == 200 and alice in page.text and faces.people["bruno"] in page.text
        refused = await browser.post(f"/entities/{entity}/representative-requests", data={
            "csrf_token": csrf(page.text), "change": "remove_alternate", "individual_id": "ind_nobody"})
        assert refused.status_code == 422 and 'role="alert"' in refused.text
        assert "Ind_nobody is not among the current alternate account representatives." in text(refused.text)
        sent = await browser.post(f"/entities/{entity}/representative-requests", data={
            "csrf_token": csrf(page.text), "change": "add_viewing_agent", "individual_id": dave})
        assert sent.status_code == 303, sent.text
        request_id = sent.headers["location"].split("done=")[1]
        pending = await browser.get(sent.headers["location"])
        assert f"Request {request_id} sent to the registrar." in pending.text
        assert re.search(rf'data-request="{request_id}"><td>{request_id}</td><td>pending</td>', pending.text)

    async with faces.browser("reg_faces", ["registrar:CA"], locale="fr") as registrar:
        queue = await registrar.get("/staff/representative-requests")
        assert queue.status_code == 200 and f'data-request="{request_id}"' in queue.text
        assert dave in queue.text and "Agents de consultation" in queue.text
        decided = await registrar.post(f"/staff/representative-requests/{request_id}/decision", data={
            "csrf_token": csrf(queue.text), "decision": "approve", "totp": CODE})
        assert decided.status_code == 303, decided.text

    async with faces.browser(alice, ["individual"]) as browser:
        page = await browser.get(f"/entities/{entity}/representatives")
    assert re.search(rf'data-request="{request_id}"><td>{request_id}</td><td>approved</td>', page.text)
    current = page.text.split("<h2>Your entity's requests</h2>".replace("'", "&#39;"))[0]
    assert re.search(rf"Account viewing agents</dt><dd>[^<]*{dave}", current)


async def test_a_deficiency_is_shown_to_the_parties_who_resubmit_or_withdraw(faces):
    tid = await faces.awaiting_approval()
    alice = faces.people["alice"]
    async with faces.browser("eo_faces", ["executive_officer:CA"]) as officer:
        page = await officer.get(f"/transfers/{tid}")
        assert page.status_code == 200 and f"<h1>Transfer {tid}</h1>" in page.text
        form = page.text.split('action="/transfers/' + tid + '/deficiencies"')[1].split("</form>")[0]
        labels = re.findall(r'<label for="[^"]+">([^<]+)</label>', form)
        assert labels == ["Kind of deficiency", "Responsible party", "Specific problem",
                          "Fields concerned (comma-separated, optional)"]
        recorded = await officer.post(f"/transfers/{tid}/deficiencies", data={
            "csrf_token": csrf(page.text), "kind": "information", "responsible": "source",
            "problem": "The agreement reference does not match the contract on file", "fields": "agreement"})
        assert recorded.status_code == 303 and recorded.headers["location"].endswith("?done=deficiency")

    async with faces.browser(alice, ["individual"]) as browser:
        page = await browser.get(f"/transfers/{tid}")
        body = text(page.text)
        assert "The agreement reference does not match the contract on file" in body
        assert re.search(r"Time left to correct</dt><dd class=\"deadline\"><time [^>]+>[^<]+</time> — "
                         r"<span class=\"deadline\">\d d \d+ h left", body), body
        assert f'action="/transfers/{tid}/resubmit"' in page.text
        wrong = await browser.post(f"/transfers/{tid}/resubmit", data={
            "csrf_token": csrf(page.text), "transaction_type": "otc_spot", "agreement_date": "2999-01-01",
            "price": "29.15", "currency": "USD", "agreement_reference": "MSA-1-corrected", "totp": CODE})
        assert wrong.status_code == 422 and 'role="alert"' in wrong.text and CODE not in wrong.text
        today = time.strftime("%Y-%m-%d", time.gmtime())
        fixed = await browser.post(f"/transfers/{tid}/resubmit", data={
            "csrf_token": csrf(page.text), "transaction_type": "otc_spot", "agreement_date": today,
            "expected_termination_date": today, "price": "29.15", "currency": "USD",
            "agreement_kind": "written", "agreement_reference": "MSA-1-corrected", "totp": CODE})
        assert fixed.status_code == 303, text(fixed.text)[-1500:]
        transfer = await faces.transfer(tid)
        assert transfer["status"] == "awaiting_approval"
        assert transfer["terms"]["agreement_reference"] == "MSA-1-corrected"

    async with faces.browser("adm_faces", ["accounts_administrator:CA"]) as administrator:
        page = await administrator.get(f"/transfers/{tid}")
        await administrator.post(f"/transfers/{tid}/deficiencies", data={
            "csrf_token": csrf(page.text), "kind": "other", "responsible": "source", "problem": "second look"})
        queue = await administrator.get("/staff/transfers")
        assert f'href="/transfers/{tid}"' in queue.text.split("Open documentation requests")[0]
    async with faces.browser(alice, ["individual"], locale="fr") as browser:
        page = await browser.get(f"/transfers/{tid}")
        assert f"<h1>Transfert {tid}</h1>" in page.text and "Temps restant pour corriger" in page.text
        out = await browser.post(f"/transfers/{tid}/withdraw", data={"csrf_token": csrf(page.text), "totp": CODE})
        assert out.status_code == 303
        assert "Demande de transfert retirée." in (await browser.get(out.headers["location"])).text
    assert (await faces.transfer(tid))["status"] == "withdrawn"


async def test_documentation_is_requested_uploaded_and_followed_in_the_staff_queue(faces):
    tid = await faces.awaiting_approval()
    alice, chloe = faces.people["alice"], faces.people["chloe"]
    async with faces.browser("eo_faces", ["executive_officer:CA"]) as officer:
        page = await officer.get(f"/transfers/{tid}")
        asked = await officer.post(f"/transfers/{tid}/documentation-requests", data={
            "csrf_token": csrf(page.text), "party": "source", "description": "The signed agreement MSA-1"})
        assert asked.status_code == 303, asked.text
        queue = await officer.get("/staff/transfers")
        row = re.search(r'<tr data-documentation="(doc_[^"]+)"><td><a href="/transfers/' + tid + '">.*?</tr>',
                        queue.text)
        assert row and "The signed agreement MSA-1" in row.group(0)
        assert re.search(r"4 d 2\d h left", row.group(0)), row.group(0)  # §95921(c): five days

    async with faces.browser(chloe, ["individual"]) as destination:  # a party, but not the one asked
        page = await destination.get(f"/transfers/{tid}")
        assert "The signed agreement MSA-1" not in page.text and 'type="file"' not in page.text

    async with faces.browser(alice, ["individual"]) as browser:
        page = await browser.get(f"/transfers/{tid}")
        assert "The signed agreement MSA-1" in page.text and re.search(r"4 d 2\d h left", page.text)
        action = re.search(r'action="(/transfers/[^"]+/documents)" enctype="multipart/form-data"', page.text)
        assert action, "no upload form"
        uploaded = await browser.post(action.group(1), data={"csrf_token": csrf(page.text)},
                                      files={"file": ("agreement.pdf", b"%PDF-1.7 signed", "application/pdf")})
        assert uploaded.status_code == 303, uploaded.text
        page = await browser.get(uploaded.headers["location"])
        assert "Document uploaded." in page.text and "fulfilled" in page.text

    async with faces.browser("eo_faces", ["executive_officer:CA"]) as officer:
        queue = await officer.get("/staff/transfers")
    assert f'<a href="/transfers/{tid}">' not in queue.text.split("Open documentation requests")[1]
