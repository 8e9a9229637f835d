"""The portal's auction and financial pages against the REAL auction and financial services (real HTTP,
PostgreSQL and broker, one ManualClock), with real RS256 tokens from the test issuer.

A stand-in answers for identity (the step-up grant mints a fresh-MFA token with the test issuer) and
for the registry's `GET /v1/me/accounts`; the registry's and identity's events reach the auction and
financial services on the real bus. Each person's portal session is a sealed cookie carrying a real
access token, as after a sign-in.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from services.portal.session import SESSION_COOKIE, CookieSealer, jwt_claims
from shared.clock import ManualClock
from shared.contracts.base import Event
from shared.contracts.identity import IndividualApproved
from shared.contracts.registry import AccountChanged, EntityChanged, Representative
from shared.messaging.bus import ensure_topics
from shared.messaging.envelope import Envelope
from shared.testing.server import RunningService, eventually, serve

pytestmark = pytest.mark.integration

SECRET = "auction-pages-secret"
START = datetime(2027, 1, 4, 17, 0, tzinfo=UTC)  # 2027 reserve prices announced; ≥ 60 days before the auctions
OPENS, CLOSES = datetime(2027, 3, 10, 18, 0, tzinfo=UTC), datetime(2027, 3, 10, 21, 0, tzinfo=UTC)
ADMIN = ("staff-admin", ("auction_administrator:CA",))
EO = ("staff-eo", ("executive_officer:CA",))
FSA = ("staff-fsa", ("financial_services_administrator:CA",))


class Market:
    """The running services, the portal, the bus, and a browser per person."""

    def __init__(self, auction: RunningService, financial: RunningService, portal: RunningService,
                 producer: AIOKafkaProducer, issuer: Any, clock: ManualClock, accounts: dict[str, list[Any]]) -> None:
        self.auction, self.financial, self.portal = auction, financial, portal
        self.producer, self.issuer, self.clock, self.accounts = producer, issuer, clock, accounts

    def token(self, subject: str, roles: tuple[str, ...]) -> str:
        now = self.clock.now().timestamp()
        return str(self.issuer.mint(subject, roles=list(roles), mfa=True, issued_at=now, ttl=400 * 86_400,
                                    auth_time=now))

    @contextlib.asynccontextmanager
    async def browser(self, who: tuple[str, tuple[str, ...]], **headers: str) -> AsyncIterator[httpx.AsyncClient]:
        subject, roles = who
        cookie = CookieSealer(SECRET.encode()).seal("session", {
            "at": self.token(subject, roles), "rt": f"rt:{subject}:{','.join(roles)}", "exp": time.time() + 3600,
            "sub": subject, "name": subject, "roles": list(roles), "kind": "individual"})
        async with httpx.AsyncClient(base_url=self.portal.url, cookies={SESSION_COOKIE: cookie}, headers=headers,
                                     timeout=30.0) as client:
            yield client

    async def emit(self, event: Event, producer: str) -> None:
        envelope = Envelope(event_type=event.EVENT_TYPE, schema_version=event.SCHEMA_VERSION,
                            occurred_at=self.clock.now(), producer=producer, aggregate_id=event.aggregate_id(),
                            payload=event.model_dump(mode="json"))
        await self.producer.send_and_wait(str(event.TOPIC), envelope.to_bytes(), key=envelope.aggregate_id.encode(),
                                          headers=envelope.headers())

    async def entity(self) -> tuple[str, str]:
        """A registered covered entity with an open holding account and a KYC-approved primary representative."""
        tag = uuid.uuid4().hex[:8]
        entity_id, person, holding = f"ent_{tag}", f"rep_{tag}", f"CA-H-{tag}"
        await self.emit(IndividualApproved(individual_id=person, legal_name=f"Person {tag}", jurisdiction="CA",
                                           approved_by="registrar", approved_at=self.clock.now()), "identity")
        await self.emit(EntityChanged(entity_id=entity_id, legal_name=f"Golden {tag}", entity_type="covered",
                                      jurisdiction="CA", status="approved"), "registry")
        for number, kind in ((holding, "holding"), (f"CA-C-{tag}", "compliance")):
            await self.emit(AccountChanged(account_number=number, account_type=kind, owner_kind="entity",
                                           entity_id=entity_id, jurisdiction="CA", status="open",
                                           representatives=[Representative(individual_id=person, role="primary")]),
                            "registry")
        self.accounts[person] = [{"account_number": holding, "account_type": "holding", "entity_id": entity_id,
                                  "entity_name": f"Golden {tag}", "role": "primary", "status": "open",
                                  "may_act": True}]

        async def known() -> bool:
            async with self.auction.client(self.token(*ADMIN)) as c:
                r = await c.get(f"/v1/entities/{entity_id}/standing")
            reps = r.json().get("representatives") if r.status_code == 200 else None
            return bool(reps) and all(x["kyc_status"] == "approved" for x in reps)
        await eventually(known, timeout=30, interval=0.1)
        return entity_id, person


def stand_in(market: dict[str, Any]) -> FastAPI:
    """identity's step-up grant (a fresh-MFA token from the test issuer) and the registry's /v1/me/accounts."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        if not re.fullmatch(r"\d{6}", str(form.get("totp", ""))):
            return JSONResponse(status_code=400, content={"error": "invalid_grant",
                                                          "error_description": "the one-time code is not valid"})
        _, subject, roles = str(form.get("refresh_token")).split(":", 2)
        return JSONResponse({"access_token": market["m"].token(subject, tuple(roles.split(","))),
                             "token_type": "Bearer", "expires_in": 300})

    @app.get("/v1/me/accounts")
    async def accounts(request: Request) -> dict[str, Any]:
        subject = jwt_claims(request.headers.get("authorization", "").removeprefix("Bearer ")).get("sub")
        return {"accounts": market["m"].accounts.get(str(subject), [])}

    return app


@pytest.fixture(scope="module")
async def market(service_factory: Any, issuer: Any, infra: Any) -> AsyncIterator[Market]:
    clock = ManualClock(START)
    holder: dict[str, Any] = {}
    await ensure_topics(infra.bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, acks="all")
    await producer.start()
    try:
        async with (service_factory("auction", clock=clock, reserve_prices={"CA": {2027: "27.50", 2028: "29.00"}})
                    as auction,
                    service_factory("financial", clock=clock) as financial,
                    serve(stand_in(holder), wait_ready=False) as stub):
            settings = Settings(identity_url=stub.url, registry_url=stub.url, transfers_url=stub.url,
                                auction_url=auction.url, financial_url=financial.url, cookie_secret=SECRET,
                                cookie_secure=False, log_json=False, log_level="WARNING")
            async with serve(create_app(settings, clock)) as portal:
                holder["m"] = Market(auction, financial, portal, producer, issuer[0], clock, {})
                yield holder["m"]
    finally:
        await producer.stop()


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def text(html: str) -> str:
    return html.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')


NOTICE_FORM = {
    "jurisdictions": "CA", "application_instructions": "Apply in the platform by 8 February.",
    "bid_submission": "Sealed bids in lots of 1,000, whole cents.",
    "procedures": "Single round, uniform price; Current before Advance.",
    "administrative_requirements": "Approved eligibility and a bid guarantee 12 days before.",
    "offer_current_CA": "70000", "offer_advance_CA": "20000", "annual_CA": "1000000",
}


async def publish(market: Market, opens: datetime, closes: datetime, marker: str) -> str:
    """The auction administrator publishes a notice through the portal form; its id from the service."""
    async with market.browser(ADMIN) as admin:
        page = await admin.get("/staff/auctions")
        assert page.status_code == 200 and 'action="/staff/auctions"' in page.text
        form = {**NOTICE_FORM, "csrf_token": csrf(page.text), "procedures": marker,
                "opens_at": opens.strftime("%Y-%m-%dT%H:%M"), "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}
        r = await admin.post("/staff/auctions", data=form)
        assert r.status_code == 303, text(r.text)[:2000]
        listed = await admin.get(r.headers["location"])
        assert "Notice published." in listed.text and marker in listed.text
    async with market.auction.client() as c:
        (auction,) = [a for a in (await c.get("/v1/auctions")).json() if a["notice"]["procedures"] == marker]
    return str(auction["auction_id"])


async def test_a_published_notice_is_listed_an_individual_applies_and_a_bid_over_the_purchase_limit_shows_it(
        market: Market) -> None:
    market.clock.set(START)
    auction_id = await publish(market, OPENS, CLOSES, "Uniform price, notice A.")
    entity_id, person = await market.entity()
    rep = (person, ("individual",))
    async with market.browser(rep) as browser:
        page = await browser.get("/auctions")
        assert page.status_code == 200 and "Uniform price, notice A." in page.text  # the public notice
        assert "70,000" in page.text and "27.50 USD" in page.text
        assert f'action="/auctions/{auction_id}/applications"' in page.text
        token = csrf(page.text)
        fsa = await browser.post("/auctions/fsa-information", data={
            "csrf_token": token, "legal_name": "Ann Rep", "title": "Trader", "employer": "Golden",
            "telephone": "+1 916 555 0100", "email": "ann@example.org", "mailing_address": "1 I Street",
            "attests": "yes"})
        assert fsa.status_code == 303, text(fsa.text)[:2000]
        applied = await browser.post(f"/auctions/{auction_id}/applications", data={
            "csrf_token": token, "entity_id": entity_id, "currency": "USD", "intends_to_bid": "yes",
            "holding_limit_headroom": "50000", "purchase_limit_share": "1", "holding_limit_share": "1"})
        assert applied.status_code == 303, text(applied.text)[:2000]
        page = await browser.get(applied.headers["location"])
        assert "Application submitted." in page.text and "submitted" in page.text
        assert "Ann Rep" in page.text

    async with market.browser(EO) as officer:  # §95912(d)(1), (e): both decisions in the portal
        for step in ("eligibility", "participation"):
            page = await officer.get("/staff/auctions")
            assert f"/applications/{entity_id}/{step}" in page.text, step
            r = await officer.post(f"/staff/auctions/{auction_id}/applications/{entity_id}/{step}",
                                   data={"csrf_token": csrf(page.text), "decision": "approve"})
            assert r.status_code == 303, text(r.text)[:2000]
        assert "publish-h" not in page.text  # the notice form is the auction administrator's

    market.clock.set(OPENS + timedelta(minutes=5))
    async with market.browser(rep) as browser:
        page = await browser.get("/auctions")
        assert "bidding window open" in page.text and "10500" in page.text  # 15 % of 70,000 (§95911(d))
        refused = await browser.post(f"/auctions/{auction_id}/bids", data={
            "csrf_token": csrf(page.text), "entity_id": entity_id, "pool": "current", "price": "30.00",
            "currency": "USD", "quantity": "20000", "totp": "123456"})
        assert refused.status_code == 409 or refused.status_code == 422, refused.status_code
        shown = text(refused.text)
        assert 'id="bid-refusal"' in shown and "The bid breaks this limit: purchase limit (§95911(d))" in shown
        assert "the purchase limit is 10,500 (purchase_limit_exceeded)" in shown
        assert 'value="20000"' in shown and "123456" not in shown  # the bid is kept, never the code
        no_code = await browser.post(f"/auctions/{auction_id}/bids", data={
            "csrf_token": csrf(page.text), "entity_id": entity_id, "pool": "current", "price": "30.00",
            "currency": "USD", "quantity": "1000", "totp": ""})
        assert "The one-time code is not valid (invalid_grant)" in text(no_code.text)


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(market: Market) -> None:
    async with market.browser(ADMIN) as admin:
        await admin.get("/staff/auctions")
        before = (await admin.get("/staff/auctions")).text.count("<section")
        r = await admin.post("/staff/auctions", data={**NOTICE_FORM, "opens_at": "2027-03-17T18:00",
                                                       "closes_at": "2027-03-17T21:00"})
        assert r.status_code == 403 and 'role="alert"' in r.text
        assert (await admin.get("/staff/auctions")).text.count("<section") == before


async def test_the_auction_pages_render_in_french(market: Market) -> None:
    async with market.browser(ADMIN, **{"Accept-Language": "fr-CA,fr;q=0.9"}) as admin:
        page = await admin.get("/staff/auctions")
    shown = text(page.text)
    assert page.status_code == 200 and '<html lang="fr">' in shown
    assert "Publier un avis d'enchère (§95912(c))" in shown and "Quantités offertes" in shown
    async with market.browser(FSA, **{"Accept-Language": "fr"}) as fsa:
        page = await fsa.get("/staff/settlement")
    assert page.status_code == 200 and "Règlement" in page.text and "/staff/auctions" not in page.text


async def test_from_guarantee_to_bids_clearing_certification_and_a_recorded_payment_in_settlement_tables(
        market: Market) -> None:
    market.clock.set(START)
    opens, closes = OPENS + timedelta(days=7), CLOSES + timedelta(days=7)
    auction_id = await publish(market, opens, closes, "Uniform price, notice B.")
    entity_id, person = await market.entity()
    rep = (person, ("individual",))
    async with market.browser(rep) as browser:
        token = csrf((await browser.get("/auctions")).text)
        await browser.post("/auctions/fsa-information", data={
            "csrf_token": token, "legal_name": "Bo Rep", "title": "Trader", "employer": "Golden",
            "telephone": "+1 916 555 0101", "email": "bo@example.org", "mailing_address": "2 I Street",
            "attests": "yes"})
        r = await browser.post(f"/auctions/{auction_id}/applications", data={
            "csrf_token": token, "entity_id": entity_id, "currency": "USD", "intends_to_bid": "yes",
            "holding_limit_headroom": "50000"})
        assert r.status_code == 303, text(r.text)[:2000]
    async with market.browser(EO) as officer:
        for step in ("eligibility", "participation"):
            token = csrf((await officer.get("/staff/auctions")).text)
            r = await officer.post(f"/staff/auctions/{auction_id}/applications/{entity_id}/{step}",
                                   data={"csrf_token": token, "decision": "approve"})
            assert r.status_code == 303, text(r.text)[:2000]

    # §95912(h): the representative lodges a letter of credit once financial has learned the approval
    async with market.browser(rep) as browser:
        page = await browser.get("/financial")
        assert f'action="/financial/{auction_id}/guarantees"' in page.text
        form = {"csrf_token": csrf(page.text), "entity_id": entity_id, "form": "letter_of_credit",
                "amount": "400000.00", "currency": "USD", "expires_on": "2027-06-30", "issuer": "First Bank",
                "instrument_reference": "LC-1"}

        async def lodged() -> bool:
            r = await browser.post(f"/financial/{auction_id}/guarantees", data=form)
            if r.status_code != 303:
                assert any(c in r.text for c in ("not_a_representative", "bidder_not_approved", "auction_not_found")), \
                    text(r.text)[:2000]
            return r.status_code == 303
        await eventually(lodged, timeout=30, interval=0.2)
        page = await browser.get("/financial")
        assert "400000.00 USD" in page.text and "submitted" in page.text
    for who, step in ((FSA, "evaluation"), (EO, "decision")):  # the FSA evaluates, the executive officer accepts
        async with market.browser(who) as staff:
            queue = await staff.get("/staff/guarantees")
            (guarantee_id,) = re.findall(r'action="/staff/guarantees/([^/"]+)/' + step, queue.text)
            r = await staff.post(f"/staff/guarantees/{guarantee_id}/{step}",
                                 data={"csrf_token": csrf(queue.text), "decision": "yes", "totp": "246810"})
            assert r.status_code == 303, text(r.text)[:2000]

    async with market.browser(rep) as browser:
        async def guaranteed() -> bool:  # financial.GuaranteeAccepted reached the auction service (§95912(h)(8))
            return "400000.00 USD" in (await browser.get("/auctions")).text
        await eventually(guaranteed, timeout=30, interval=0.2)
        market.clock.set(opens + timedelta(minutes=1))
        page = await browser.get("/auctions")
        token = csrf(page.text)
        for pool, price, quantity in (("current", "30.00", "5000"), ("advance", "29.50", "1000")):
            r = await browser.post(f"/auctions/{auction_id}/bids", data={
                "csrf_token": token, "entity_id": entity_id, "pool": pool, "price": price, "currency": "USD",
                "quantity": quantity, "totp": "135790"})
            assert r.status_code == 303, text(r.text)[:2000]
        page = await browser.get("/auctions?done=bid")
        current, advance = re.findall(rf'action="/auctions/{auction_id}/bids/([^/"]+)/change"', page.text)
        r = await browser.post(f"/auctions/{auction_id}/bids/{current}/change", data={
            "csrf_token": token, "price": "30.50", "quantity": "6000", "totp": "135790"})
        assert r.status_code == 303, text(r.text)[:2000]
        r = await browser.post(f"/auctions/{auction_id}/bids/{advance}/withdraw",
                               data={"csrf_token": token, "totp": "135790"})
        assert r.status_code == 303, text(r.text)[:2000]
        page = await browser.get("/auctions?done=withdrawn")
        assert "Bid withdrawn." in page.text and "30.50 USD" in page.text and "withdrawn" in page.text

    market.clock.set(closes + timedelta(minutes=30))
    for who, action in ((ADMIN, "clearing"), (EO, "certify")):
        async with market.browser(who) as staff:
            page = await staff.get("/staff/auctions")
            assert f'action="/staff/auctions/{auction_id}/{action}"' in page.text, action
            r = await staff.post(f"/staff/auctions/{auction_id}/{action}",
                                 data={"csrf_token": csrf(page.text), "totp": "112233", "meets_requirements": "yes"})
            assert r.status_code == 303, text(r.text)[:2000]
    async with market.browser(ADMIN) as admin:
        page = text((await admin.get("/staff/auctions")).text)
        assert "Public results (§95912(i)(6))" in page and "30.50" in page  # the lone bidder's price

    async with market.browser(FSA) as fsa:
        async def invoiced() -> str | None:
            page = await fsa.get(f"/staff/settlement/{auction_id}")
            return page.text if "/payments" in page.text else None
        page = await eventually(invoiced, timeout=30, interval=0.2)
        for table in ("invoices", "payments", "draws", "deliveries", "distributions", "guarantees", "reconciliation"):
            assert f'<table id="{table}">' in page, table
        assert "183000.00 USD" in page and "<pre" not in page and "7 d 2 h left" in page  # 6,000 × 30.50, tables
        (invoice_id,) = re.findall(r'action="/staff/settlement/[^/]+/invoices/([^/"]+)/payments"', page)
        r = await fsa.post(f"/staff/settlement/{auction_id}/invoices/{invoice_id}/payments", data={
            "csrf_token": csrf(page), "amount": "183000.00", "currency": "USD", "wire_reference": "WIRE-77",
            "totp": "445566"})
        assert r.status_code == 303, text(r.text)[:2000]
        page = (await fsa.get(r.headers["location"])).text
        assert "Payment recorded." in page and "WIRE-77" in page
    async with market.browser(rep) as browser:
        page = (await browser.get("/financial")).text
        assert invoice_id in page and "183000.00 USD" in page and "WIRE-77" in page
