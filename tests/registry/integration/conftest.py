"""Harness for the registry over real HTTP and the real bus.

One registry service per test module (real PostgreSQL, real broker, a ManualClock), a tap that reads
what the registry publishes, a producer for the commands and identity events other services would
send, and helpers that build approved individuals, approved entities and instruments.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.clock import ManualClock
from shared.contracts.base import Event
from shared.contracts.identity import IndividualApproved
from shared.contracts.topics import Topic
from shared.messaging.envelope import Envelope
from shared.testing.bus import BusTap
from shared.testing.server import RunningService, eventually

pytestmark = pytest.mark.integration

START = datetime.now(UTC).replace(microsecond=0)
YEAR = START.year
BUDGETS = {j: {y: 60_000_000 for y in range(2013, 2040)} for j in ("CA", "QC", "NS")}
CA_LIMIT = 3_375_000  # 0.1 × 25,000,000 + 0.025 × (60,000,000 − 25,000,000)
QC_LIMIT = 4_875_000  # Québec counts the combined budget: 120,000,000
TAPPED = (Topic.REGISTRY_LEDGER, Topic.REGISTRY_ACCOUNTS, Topic.REGISTRY_ENTITIES, Topic.LINKAGE)


class Registry:
    """The running registry plus helpers; every id it makes is unique in the session."""

    def __init__(self, service: RunningService, clock: ManualClock, issuer: Any, bootstrap: str, tap: BusTap) -> None:
        self.service = service
        self.clock = clock
        self.issuer = issuer
        self.bootstrap = bootstrap
        self.tap = tap

    @property
    def runtime(self) -> Any:
        return self.service.runtime

    @staticmethod
    def uid(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    # -- tokens and HTTP
    def token(self, subject: str, roles: tuple[str, ...] = ("individual",), **kw: Any) -> str:
        kw.setdefault("auth_time", self.clock.now().timestamp())  # step-up is judged by the service's clock
        return str(self.issuer.mint(subject, roles=roles, **kw))

    def client(self, subject: str = "anyone", roles: tuple[str, ...] = ("individual",), **kw: Any) -> httpx.AsyncClient:
        return self.service.client(self.token(subject, roles, **kw))

    async def call(self, method: str, path: str, *, subject: str = "staff", roles: tuple[str, ...] = ("individual",),
                   json: Any = None, params: Any = None) -> httpx.Response:
        async with self.client(subject, roles) as c:
            return await c.request(method, path, json=json, params=params)

    async def ok(self, method: str, path: str, **kw: Any) -> Any:
        r = await self.call(method, path, **kw)
        assert r.status_code in (200, 201), r.text
        return r.json()

    @staticmethod
    def staff(role: str = "registrar", jurisdiction: str = "CA") -> dict[str, Any]:
        return {"subject": f"{role}-{jurisdiction}", "roles": (f"{role}:{jurisdiction}",)}

    # -- the bus
    async def send(self, event: Event, *, event_id: uuid.UUID | None = None) -> Envelope:
        return await self.tap.publish(event, occurred_at=self.clock.now(), event_id=event_id)

    async def resend(self, envelope: Envelope, topic: str) -> None:
        await self.tap.send(topic, envelope)

    # -- parties
    async def individuals(self, n: int, jurisdiction: str = "CA") -> list[str]:
        ids = [self.uid("ind") for _ in range(n)]
        await asyncio.gather(*(
            self.send(IndividualApproved(
                individual_id=individual_id, legal_name=f"Person {individual_id}", jurisdiction=jurisdiction,
                approved_by="kyc-officer", approved_at=self.clock.now(),
            ))
            for individual_id in ids
        ))

        async def known() -> bool:
            for individual_id in ids:
                r = await self.call("GET", f"/v1/individuals/{individual_id}", **self.staff())
                if r.status_code != 200 or r.json()["kyc_status"] != "approved":
                    return False
            return True

        await eventually(known, timeout=30)
        return ids

    def application(self, primary: str, alternates: list[str], *, jurisdiction: str = "CA",
                    entity_type: str = "covered", viewing_agents: list[str] | None = None,
                    associations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {
            "legal_name": f"Entity {uuid.uuid4().hex[:6]}", "entity_type": entity_type,
            "jurisdiction": jurisdiction, "taxpayer_id": self.uid("tax"),
            "addresses": [{"line1": "1 Main St", "city": "Sacramento", "region": jurisdiction,
                           "postal_code": "95814", "country": "US"}],
            "directors_officers": [{"name": "Dana Director", "title": "CEO"}],
            "representatives": {"primary": primary, "alternates": alternates, "viewing_agents": viewing_agents or []},
            "associations": associations or [],
        }

    async def entity(self, *, jurisdiction: str = "CA", entity_type: str = "covered",
                     associations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """An approved entity with a primary, an alternate and a viewing agent, and its accounts."""
        primary, alternate, viewer = await self.individuals(3, jurisdiction)
        body = self.application(primary, [alternate], jurisdiction=jurisdiction, entity_type=entity_type,
                                viewing_agents=[viewer], associations=associations)
        created = await self.ok("POST", "/v1/entities", subject=primary, json=body)
        approved = await self.ok("POST", f"/v1/entities/{created['id']}/approve", json={},
                                 **self.staff("registrar", jurisdiction))
        accounts = await self.ok("GET", f"/v1/entities/{created['id']}/accounts", subject=primary)
        return {
            "entity_id": created["id"], "primary": primary, "alternate": alternate, "viewer": viewer,
            "opened": approved["accounts"], "jurisdiction": jurisdiction,
            "accounts": {a["account_type"]: a["account_number"] for a in accounts["accounts"]},
        }

    async def jurisdiction_accounts(self, jurisdiction: str = "CA") -> dict[str, str]:
        body = await self.ok("GET", f"/v1/jurisdictions/{jurisdiction}/accounts")
        return {t: a["account_number"] for t, a in body["accounts"].items()}

    async def issue(self, quantity: int, *, jurisdiction: str = "CA", instrument_type: str = "allowance",
                    vintage: int | None = YEAR, account_type: str = "allocation_holding") -> dict[str, Any]:
        account = (await self.jurisdiction_accounts(jurisdiction))[account_type]
        return await self.ok(  # type: ignore[no-any-return]
            "POST", "/v1/issuances", **self.staff("executive_officer", jurisdiction),
            json={"jurisdiction": jurisdiction, "instrument_type": instrument_type,
                  "vintage": vintage if instrument_type == "allowance" else None,
                  "quantity": quantity, "account_number": account},
        )

    async def fund(self, destination: str, quantity: int, *, jurisdiction: str = "CA",
                   instrument_type: str = "allowance", vintage: int | None = YEAR) -> dict[str, Any]:
        """Issue into the allocation holding account, then the Executive Officer allocates."""
        await self.issue(quantity, jurisdiction=jurisdiction, instrument_type=instrument_type, vintage=vintage)
        source = (await self.jurisdiction_accounts(jurisdiction))["allocation_holding"]
        return await self.ok(  # type: ignore[no-any-return]
            "POST", "/v1/ledger/moves", **self.staff("executive_officer", jurisdiction),
            json={"source_account": source, "destination_account": destination, "quantity": quantity,
                  "instrument": {"instrument_type": instrument_type, "jurisdiction": jurisdiction,
                                 "vintage": vintage if instrument_type == "allowance" else None},
                  "reason": "allocation"},
        )

    async def balance(self, account: str, **match: Any) -> int:
        body = await self.ok("GET", f"/v1/accounts/{account}/holdings", **self.staff("market_monitor", account[:2]))
        return sum(b["quantity"] for b in body["balances"] if all(b.get(k) == v for k, v in match.items()))

    async def holdings(self, account: str) -> dict[str, Any]:
        return await self.ok(  # type: ignore[no-any-return]
            "GET", f"/v1/accounts/{account}/holdings", **self.staff("market_monitor", account[:2]))


@pytest.fixture(scope="module")
def registry_settings() -> dict[str, Any]:
    """Override in a test module to start its registry with other settings."""
    return {}


@pytest.fixture(scope="module")
async def registry(service_factory: Callable[..., Any], issuer: Any, infra: Any,
                   registry_settings: dict[str, Any]) -> AsyncIterator[Registry]:
    clock = ManualClock(START)
    settings = {"annual_budgets": BUDGETS, "sweep_interval_seconds": 0, **registry_settings}
    tap = BusTap(infra.bootstrap, TAPPED)
    await tap.start()
    try:
        async with service_factory("registry", clock=clock, **settings) as service:
            yield Registry(service, clock, issuer[0], infra.bootstrap, tap)
    finally:
        await tap.stop()
