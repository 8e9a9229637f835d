"""The portal in a real browser (Debian's chromium driven by Playwright) over the real services.

identity (the real token issuer for every service), registry and transfers run in-process over real
HTTP, PostgreSQL and the broker; the portal is served beside them. In the browser: a representative
registers and uploads KYC documents, a registrar approves in the portal, the representative activates
TOTP and signs in (authorization code + PKCE), submits a transfer with a fresh one-time code, a second
representative confirms, the destination's representative accepts, the Executive Officer approves, and
the holdings change on screen. The entities and holdings come from the registry's demo loader.
Screenshots of each step go to test-artifacts/portal/.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import playwright.async_api as playwright_api
import pyotp
import pytest
from sqlalchemy import select

from services.identity.seed import seed_individual, seed_staff
from services.portal.config import Settings as PortalSettings
from services.portal.entrypoints.http.app import create_app as create_portal
from services.registry.application.demo import load_demo
from services.transfers.adapters.orm import accounts as transfer_accounts
from shared.infra.embedded import free_port
from shared.testing.server import eventually, serve

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "portal"
ISSUER = "http://identity.portal.test"
PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1, "login_ip_limit": 10_000,
        "login_account_limit": 10_000, "registration_ip_limit": 10_000, "jwt_issuer": ISSUER,
        "key_publish_lead_seconds": 1, "log_level": "ERROR"}


class Codes:
    """One-time codes that are never reused: each person's next code is from a later 30 s step than the
    last one they used (identity accepts the current step ± 1 and remembers the last one)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    async def next(self, secret: str) -> str:
        current = int(time.time()) // 30
        step = max(self.last.get(secret, current - 1) + 1, current)
        while step > int(time.time()) // 30 + 1:  # too far ahead: wait for the clock
            await asyncio.sleep(0.5)
        self.last[secret] = step
        return pyotp.TOTP(secret).at(step * 30)


class Shots:
    def __init__(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()
        self.n = 0

    async def take(self, page: Any, name: str) -> None:
        self.n += 1
        await page.screenshot(path=str(ARTIFACTS / f"{self.n:02d}-{name}.png"), full_page=True)


async def sign_in(page: Any, portal_url: str, email: str, secret: str, codes: Codes) -> None:
    await page.goto(f"{portal_url}/signin")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("One-time code").fill(await codes.next(secret))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(re.escape(portal_url) + r"/(\?.*)?$"))
    await page.get_by_role("button", name="Sign out").wait_for()


async def reload_until(page: Any, selector: str, text: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        content = await page.locator(selector).all_inner_texts()
        if any(text in c for c in content):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never showed {text!r} (last: {content})")
        await asyncio.sleep(1.0)
        await page.reload()


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: scripts/bootstrap installs it as root (apt-get install -y chromium)")


async def test_a_transfer_goes_from_registration_to_changed_holdings_in_the_browser(service_factory):
    _require_chromium()
    codes, shots = Codes(), Shots()
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    async with service_factory("identity", portal_redirect_uris=[f"{portal_url}/callback"], **FAST) as identity:
        common = {"identity_url": identity.url, "jwt_issuer": ISSUER}
        async with service_factory("registry", **common) as registry, \
                service_factory("transfers", **common) as transfers:
            id_settings = identity.runtime.settings
            registrar = await seed_staff(id_settings, email="registrar@example.org", legal_name="Rita Registrar",
                                         jurisdiction="CA", roles=["registrar:CA"], password=PASSWORD)
            officer = await seed_staff(id_settings, email="eo@example.org", legal_name="Omar Officer",
                                       jurisdiction="CA", roles=["executive_officer:CA"], password=PASSWORD)
            people = {}
            for key, name in (("bruno", "Bruno Second"), ("chloe", "Chloé Destination")):
                people[key] = await seed_individual(
                    id_settings, email=f"{key}@example.org", legal_name=name, jurisdiction="CA", password=PASSWORD,
                    date_of_birth=date(1980, 1, 1), id_number=f"D{abs(hash(key)) % 10**7:07d}",
                    id_issuer="California DMV", id_expires_on=date.today() + timedelta(days=3000))
            settings = PortalSettings(identity_url=identity.url, registry_url=registry.url,
                                      transfers_url=transfers.url, auction_url=registry.url,
                                      financial_url=registry.url, public_url=portal_url, cookie_secure=False,
                                      log_json=False, log_level="WARNING")
            async with serve(create_portal(settings), port=port), playwright_api.async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                   args=["--no-sandbox", "--disable-gpu"])
                try:
                    await _flow(browser, portal_url, registry, transfers, registrar, officer, people, codes, shots)
                except Exception:
                    for number, context in enumerate(browser.contexts):
                        for page in context.pages:  # what each open page showed when the flow failed
                            await page.screenshot(path=str(ARTIFACTS / f"failure-{number}.png"), full_page=True)
                            print(f"--- {page.url}\n", (await page.inner_text("body"))[:1500])
                    raise
                finally:
                    await browser.close()


async def _flow(browser: Any, portal_url: str, registry: Any, transfers: Any, registrar: Any, officer: Any,
                people: dict[str, Any], codes: Codes, shots: Shots) -> None:
    today = date.today()
    alice = await browser.new_context(locale="en-US")
    page = await alice.new_page()

    # 1. Alice registers with her KYC data and uploads her documents
    await page.goto(f"{portal_url}/register")
    form = {"Legal name": "Alice Portal", "E-mail": "alice@example.org", "Phone": "+1 415 555 0100",
            "Date of birth": "1985-12-10", "Street address": "1 Market St", "City": "San Francisco",
            "State or province": "CA", "Postal code": "94105", "Country (2 letters)": "US",
            "ID number": "P12345678", "Issued by": "U.S. Department of State",
            "Expires on": str(today + timedelta(days=900)), "Bank": "First Bank",
            "Statement date": str(today - timedelta(days=10)), "Password (at least 12 characters)": PASSWORD}
    for label, value in form.items():
        await page.get_by_label(label, exact=True).fill(value)
    await page.get_by_label("ID type").select_option("passport")
    await page.get_by_label("The information I give is true").check()
    await shots.take(page, "registration-form")
    await page.get_by_role("button", name="Register").click()
    await page.wait_for_url(f"{portal_url}/register/status")
    for kind, name, content, mime in (("government_id", "passport.pdf", PDF, "application/pdf"),
                                      ("bank_statement", "statement.png", PNG, "image/png")):
        await page.get_by_label("Document kind").select_option(kind)
        await page.get_by_label("File (PDF, PNG or JPEG)").set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}])
        await page.get_by_role("button", name="Upload").click()
        await page.get_by_role("status").wait_for()
    await page.get_by_role("button", name="Submit documents for review").click()
    await page.locator("#registration-status", has_text="documents_submitted").wait_for()
    await shots.take(page, "documents-submitted")

    # 2. the registrar approves the registration in the portal
    staff = await browser.new_context(locale="en-US")
    rpage = await staff.new_page()
    await sign_in(rpage, portal_url, registrar.email, registrar.totp_secret, codes)
    await rpage.get_by_role("navigation").get_by_role("link", name="KYC reviews").click()
    await rpage.get_by_role("link", name=re.compile("Alice Portal")).click()
    await shots.take(rpage, "registrar-reviews-kyc")
    await rpage.get_by_role("button", name="Approve").click()
    await rpage.wait_for_url(re.compile(r"/staff/kyc\?done=1"))
    await staff.close()

    # 3. Alice activates: password, then the TOTP secret shown once, confirmed with a code
    await page.goto(f"{portal_url}/register/status")
    await page.locator("#registration-status", has_text="approved").wait_for()
    await page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    await page.get_by_role("button", name="Activate your account").click()
    secret = (await page.locator("#totp-secret").inner_text()).strip()
    await page.get_by_label("One-time code (authenticator app)").fill(await codes.next(secret))
    await page.get_by_role("button", name="Confirm the code").click()
    await page.locator("#registration-status", has_text="active").wait_for()
    alice_id = (await page.locator("dd code").first.inner_text()).strip()

    # the entities and their holdings (registry demo): Alice primary and Bruno alternate of the first,
    # Chloé primary of the second
    bruno, chloe = people["bruno"], people["chloe"]
    demo = await load_demo(registry.runtime, representatives=[(alice_id, "Alice Portal"),
                                                              (bruno.individual_id, "Bruno Second"),
                                                              (chloe.individual_id, "Chloé Destination")],
                           allowances_each=10_000)
    source = demo["entities"][0]["accounts"]["holding"]
    destination = demo["entities"][1]["accounts"]["holding"]
    vintage = demo["vintage"]

    async def projected() -> bool:
        async with transfers.runtime.uow() as uow:
            rows = (await uow.session.execute(select(transfer_accounts.c.account_number).where(
                transfer_accounts.c.account_number.in_([source, destination])))).all()
        return len(rows) == 2

    await eventually(projected, timeout=60)

    # 4. Alice signs in with her one-time code and sees her holdings
    await sign_in(page, portal_url, "alice@example.org", secret, codes)
    await page.get_by_role("navigation").get_by_role("link", name="Entities and accounts").click()
    holding_cell = page.locator(f'table[data-account="{source}"] td[data-holding="allowance-{vintage}"]')
    await reload_until(page, f'table[data-account="{source}"] td[data-holding="allowance-{vintage}"]', "10000")
    await shots.take(page, "holdings-before")

    # 5. Alice submits a transfer (step-up: a fresh one-time code in the form)
    await page.get_by_role("navigation").get_by_role("link", name="Transfers", exact=True).click()
    await page.get_by_label("Source account").select_option(source)
    await page.get_by_label("Destination account").fill(destination)
    await page.get_by_label("Vintage").fill(str(vintage))
    await page.get_by_label("Quantity").fill("250")
    await page.get_by_label("Price per instrument").fill("31.25")
    await page.get_by_label("Agreement reference").fill("SPA-2026-001")
    await page.get_by_label("One-time code (authenticator app)").fill(await codes.next(secret))
    await shots.take(page, "transfer-form")
    await page.get_by_role("button", name="Submit").click()
    await page.wait_for_url(re.compile(r"/transfers/[^/?]+\?done=submitted"))
    transfer_url = page.url.split("?")[0]
    await reload_until(page, "#transfer-status", "proposed")
    await shots.take(page, "transfer-submitted")

    # 6. Bruno (the same entity's alternate) confirms
    await _step_in_browser(browser, portal_url, transfer_url, bruno.email, bruno.totp_secret, "Confirm", codes,
                           shots, "confirmed-by-second-representative", "awaiting_acceptance")
    # 7. Chloé (the destination's primary) accepts
    await _step_in_browser(browser, portal_url, transfer_url, chloe.email, chloe.totp_secret, "Accept", codes,
                           shots, "accepted-by-destination", "awaiting_approval")

    # 8. the Executive Officer approves from the determination queue
    eo = await browser.new_context(locale="en-US")
    epage = await eo.new_page()
    await sign_in(epage, portal_url, officer.email, officer.totp_secret, codes)
    await epage.get_by_role("navigation").get_by_role("link", name="Transfers awaiting determination").click()
    await epage.locator(f'a[href="{transfer_url.removeprefix(portal_url)}"]').click()
    decision = epage.get_by_role("form", name="Determination")
    await decision.get_by_label("Determination", exact=True).select_option("approve")
    await decision.get_by_label("One-time code (authenticator app)").fill(await codes.next(officer.totp_secret))
    await decision.get_by_role("button", name="Submit").click()
    await epage.wait_for_url(re.compile(r"\?done=determined"))
    await reload_until(epage, "#transfer-status", "recorded")
    await shots.take(epage, "approved-and-recorded")
    await eo.close()

    # 9. Alice's holdings changed on screen
    await page.goto(f"{portal_url}/accounts")
    await reload_until(page, f'table[data-account="{source}"] td[data-holding="allowance-{vintage}"]', "9750")
    assert (await holding_cell.inner_text()).strip() == "9750"
    await shots.take(page, "holdings-after")
    await alice.close()


async def _step_in_browser(browser: Any, portal_url: str, transfer_url: str, email: str, secret: str, button: str,
                           codes: Codes, shots: Shots, shot: str, expect: str) -> None:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await sign_in(page, portal_url, email, secret, codes)
    await page.goto(transfer_url)
    form = page.get_by_role("form", name=button)
    if button == "Confirm":  # a wrong code first: identity's refusal is shown, nothing changes
        await form.get_by_label("One-time code (authenticator app)").fill("000000")
        await form.get_by_role("button", name=button, exact=True).click()
        await page.get_by_role("alert").filter(has_text="invalid_grant").wait_for()
        await shots.take(page, "wrong-code-refused")
        form = page.get_by_role("form", name=button)
    await form.get_by_label("One-time code (authenticator app)").fill(await codes.next(secret))
    await form.get_by_role("button", name=button, exact=True).click()
    await page.wait_for_url(re.compile(r"\?done="))
    await reload_until(page, "#transfer-status", expect)
    await shots.take(page, shot)
    await context.close()
