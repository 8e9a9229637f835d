"""Helpers for the identity tests: a driver over real HTTP, KYC payloads, TOTP codes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest

from shared.clock import ManualClock
from shared.testing.server import RunningService

ISSUER = "http://identity.test"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PASSWORD = "correct horse battery staple"
FAST = {
    "argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1,
    "login_ip_limit": 10_000, "login_account_limit": 10_000, "registration_ip_limit": 10_000,
    "bootstrap_secret": "test-bootstrap-secret", "jwt_issuer": ISSUER, "key_publish_lead_seconds": 1,
    "log_level": "ERROR",
}


def registration(clock: ManualClock, **changes: Any) -> dict[str, Any]:
    today = clock.now().date()
    suffix = "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:8])  # a distinct person each time
    body: dict[str, Any] = {
        "legal_name": f"Ada Lovelace {suffix.title()}",
        "email": f"ada-{uuid.uuid4().hex[:8]}@example.org",
        "phone": "+1 415 555 0100",
        "date_of_birth": "1985-12-10",
        "jurisdiction": "CA",
        "residence": {"line1": "1 Market St", "city": "San Francisco", "region": "CA", "postal_code": "94105",
                      "country": "US"},
        "government_id": {"type": "passport", "number": f"X{uuid.uuid4().int % 10**8:08d}",
                          "issuer": "U.S. Department of State", "expires_on": str(today + timedelta(days=900))},
        "bank_account": {"bank_name": "First Bank", "statement_date": str(today - timedelta(days=20))},
        "attestation": {"felony_conviction_within_last_5_years": False, "information_is_true": True},
        "password": PASSWORD,
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


class _Calls:
    """`async with drv.http(token) as client:` -> get/post/delete with that bearer token."""

    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def __aenter__(self) -> _Calls:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        return await self._client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


class Driver:
    """Drives the identity service over HTTP as registrants, registrars and API clients do."""

    PDF = PDF
    PNG = PNG
    PASSWORD = PASSWORD
    ISSUER = ISSUER

    def __init__(self, running: RunningService, clock: ManualClock) -> None:
        self.running = running
        self.clock = clock
        self.url = running.url
        self._last_step: dict[str, int] = {}
        self._client: httpx.AsyncClient | None = None

    @property
    def svc(self) -> Any:
        return self.running.app.state.identity.svc

    def http(self, token: str | None = None) -> _Calls:
        """One pooled client for the whole driver (a new httpx client costs ~150 ms of TLS setup)."""
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.url, timeout=30.0)
        return _Calls(self._client, token)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def code(self, secret: str) -> str:
        """A TOTP code never used before: the next step in the accepted window, moving the clock if needed."""
        current = int(self.clock.now().timestamp()) // 30
        step = max(current, self._last_step.get(secret, current - 1) + 1)
        if step > current + 1:
            self.clock.advance(timedelta(seconds=30 * (step - current - 1)))
            current = step - 1
        self._last_step[secret] = step
        return pyotp.TOTP(secret).at(step * 30)

    def body(self, **changes: Any) -> dict[str, Any]:
        return registration(self.clock, **changes)

    async def register(self, **changes: Any) -> dict[str, Any]:
        body = registration(self.clock, **changes)
        async with self.http() as client:
            r = await client.post("/v1/registrations", json=body)
        assert r.status_code == 201, r.text
        return {**r.json(), "email": body["email"], "request": body}

    async def upload(self, reg: dict[str, Any], kind: str, content: bytes = PDF,
                     name: str = "doc.pdf") -> httpx.Response:
        async with self.http() as client:
            return await client.post(f"/v1/registrations/{reg['individual_id']}/documents",
                                     headers={"X-Registration-Token": reg["registration_token"]},
                                     data={"kind": kind}, files={"file": (name, content, "application/octet-stream")})

    async def submit(self, reg: dict[str, Any]) -> httpx.Response:
        async with self.http() as client:
            return await client.post(f"/v1/registrations/{reg['individual_id']}/submission",
                                     headers={"X-Registration-Token": reg["registration_token"]})

    async def staff(self, roles: list[str], jurisdiction: str = "CA") -> dict[str, Any]:
        from services.identity.seed import seed_staff

        email = f"staff-{uuid.uuid4().hex[:8]}@{jurisdiction.lower()}.gov.example"
        person = await seed_staff(self.svc.settings, email=email, legal_name="Sam Staff", jurisdiction=jurisdiction,
                                  roles=roles, password=PASSWORD, clock=self.clock)
        tokens = await self.sign_in(email, person.totp_secret)
        return {"id": person.individual_id, "email": email, "secret": person.totp_secret, **tokens}

    async def sign_in(self, email: str, secret: str | None, password: str = PASSWORD,
                      expect: int = 200) -> dict[str, Any]:
        async with self.http() as client:
            r = await client.post("/v1/sessions", json={"email": email, "password": password,
                                                        "totp": self.code(secret) if secret else "000000"})
        assert r.status_code == expect, r.text
        return dict(r.json())

    async def active_individual(self, registrar: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """Register, upload, submit, approve, activate: a person who can sign in."""
        reg = await self.register(**changes)
        assert (await self.upload(reg, "government_id")).status_code == 201
        assert (await self.upload(reg, "bank_statement", PNG, "statement.png")).status_code == 201
        assert (await self.submit(reg)).status_code == 200
        async with self.http(registrar["access_token"]) as client:
            r = await client.post(f"/v1/individuals/{reg['individual_id']}/approval")
        assert r.status_code == 200, r.text
        secret = await self.activate(reg)
        return {**reg, "secret": secret}

    async def activate(self, reg: dict[str, Any]) -> str:
        headers = {"X-Registration-Token": reg["registration_token"]}
        async with self.http() as client:
            r = await client.post(f"/v1/registrations/{reg['individual_id']}/activation", headers=headers,
                                  json={"password": PASSWORD})
            assert r.status_code == 200, r.text
            secret = r.json()["totp_secret"]
            r = await client.post(f"/v1/registrations/{reg['individual_id']}/activation/confirmation",
                                  headers=headers, json={"totp": self.code(secret)})
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "active"
        return str(secret)


@pytest.fixture
def identity_service(service_factory):  # type: ignore[no-untyped-def]
    """`async with identity_service(clock=..., **settings) as driver:` a fresh identity service."""

    @contextlib.asynccontextmanager
    async def start(clock: ManualClock | None = None, **overrides: Any) -> AsyncIterator[Driver]:
        clock = clock or ManualClock(datetime.now(UTC))
        settings = {**FAST, **overrides}
        async with service_factory("identity", clock=clock, **settings) as running:
            driver = Driver(running, clock)
            try:
                yield driver
            finally:
                await driver.close()

    return start


@pytest.fixture
def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="module")
async def drv(service_factory):  # type: ignore[no-untyped-def]
    """One identity service (no bus) shared by the tests of a module that do not move the clock far."""
    clock = ManualClock(datetime.now(UTC))
    settings = {**FAST, "run_background": False, "max_document_bytes": 4096}
    async with service_factory("identity", clock=clock, **settings) as running:
        driver = Driver(running, clock)
        yield driver
        await driver.close()


@pytest.fixture(scope="module")
async def registrar_person(drv: Driver) -> dict[str, Any]:
    return await drv.staff(["registrar:CA"])


@pytest.fixture
async def registrar(drv: Driver, registrar_person: dict[str, Any]) -> dict[str, Any]:
    """Signed in afresh for each test: tests move the module's clock, access tokens live 5 minutes."""
    return {**registrar_person, **await drv.sign_in(registrar_person["email"], registrar_person["secret"])}
