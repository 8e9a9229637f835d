"""Harness for the transfers service over the real bus: a running transfers service (real HTTP,
real PostgreSQL, real broker) per test module, a simulated registry that answers ledger commands
and publishes account/entity state, and helpers that build parties and mint real tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.transfers.adapters.orm import accounts, entities
from services.transfers.simulation import SimulatedRegistry
from shared.clock import ManualClock
from shared.contracts.registry import AccountChanged, EntityChanged, Representative
from shared.testing.server import RunningService, eventually


@dataclass
class Party:
    """An entity with its holding (and optionally compliance) account and its representatives."""

    entity_id: str
    jurisdiction: str
    holding: str
    primary: str
    alternates: list[str]
    viewer: str
    compliance: str | None = None


class World:
    """Builds parties through the (simulated) registry and drives the transfers API with real tokens."""

    def __init__(self, service: RunningService, registry: SimulatedRegistry, issuer: Any, clock: ManualClock) -> None:
        self.service = service
        self.registry = registry
        self.issuer = issuer
        self.clock = clock
        self._pending_accounts: dict[str, str] = {}  # account -> status expected in the projection
        self._pending_entities: dict[str, tuple[str, bool]] = {}

    @staticmethod
    def uid(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    # ---- registry state -----------------------------------------------------------------------
    async def entity(self, *, jurisdiction: str = "CA", associates: tuple[str, ...] = (), status: str = "approved",
                     restricted: bool = False, entity_id: str | None = None,
                     entity_type: str = "covered") -> str:
        entity_id = entity_id or self.uid("ent")
        await self.registry.publish(EntityChanged(
            entity_id=entity_id, legal_name=f"Entity {entity_id}", entity_type=entity_type,
            jurisdiction=jurisdiction, status=status, direct_associates=list(associates),
            transfers_restricted=restricted))
        self._pending_entities[entity_id] = (status, restricted)
        return entity_id

    async def account(self, entity_id: str | None, *, account_type: str = "holding", jurisdiction: str = "CA",
                      primary: str | None = None, alternates: tuple[str, ...] = (), viewers: tuple[str, ...] = (),
                      status: str = "open", number: str | None = None, owner_kind: str = "entity") -> str:
        number = number or self.uid(account_type[:4].upper())
        reps = ([Representative(individual_id=primary, role="primary")] if primary else []) + [
            Representative(individual_id=a, role="alternate") for a in alternates] + [
            Representative(individual_id=v, role="viewing_agent") for v in viewers]
        await self.registry.publish(AccountChanged(
            account_number=number, account_type=account_type, owner_kind=owner_kind,  # type: ignore[arg-type]
            entity_id=entity_id, jurisdiction=jurisdiction, status=status, representatives=reps))
        self.registry.accounts.add(number)
        self._pending_accounts[number] = status
        return number

    async def party(self, *, jurisdiction: str = "CA", alternates: int = 2, compliance: bool = False,
                    associates: tuple[str, ...] = (), entity_id: str | None = None,
                    holding_type: str = "holding", entity_type: str = "covered") -> Party:
        entity = await self.entity(jurisdiction=jurisdiction, associates=associates, entity_id=entity_id,
                                   entity_type=entity_type)
        primary, viewer = self.uid("ind"), self.uid("view")
        alts = [self.uid("ind") for _ in range(alternates)]
        holding = await self.account(entity, account_type=holding_type, jurisdiction=jurisdiction, primary=primary,
                                     alternates=tuple(alts), viewers=(viewer,))
        party = Party(entity, jurisdiction, holding, primary, alts, viewer)
        if compliance:
            party.compliance = await self.account(entity, account_type="compliance", jurisdiction=jurisdiction,
                                                  primary=primary, alternates=tuple(alts))
        await self.synced()
        return party

    async def synced(self, timeout: float = 20.0) -> None:
        """Wait until the transfers service has projected everything published so far."""
        wanted_accounts, wanted_entities = dict(self._pending_accounts), dict(self._pending_entities)

        async def done() -> bool:
            async with self.service.runtime.uow() as uow:
                rows = (await uow.session.execute(select(accounts.c.account_number, accounts.c.status).where(
                    accounts.c.account_number.in_(list(wanted_accounts))))).all()
                ents = (await uow.session.execute(select(
                    entities.c.entity_id, entities.c.status, entities.c.transfers_restricted).where(
                    entities.c.entity_id.in_(list(wanted_entities))))).all()
            return {r[0]: r[1] for r in rows} == wanted_accounts and {
                r[0]: (r[1], r[2]) for r in ents} == wanted_entities

        await eventually(done, timeout=timeout)
        for k in wanted_accounts:
            self._pending_accounts.pop(k, None)
        for k in wanted_entities:
            self._pending_entities.pop(k, None)

    # ---- tokens and HTTP ------------------------------------------------------------------------
    def token(self, subject: str, roles: tuple[str, ...] = ("individual",), *, stale: bool = False,
              mfa: bool = True) -> str:
        auth_time = self.clock.now().timestamp() - (900 if stale else 0)
        return str(self.issuer.mint(subject, roles=roles, mfa=mfa, auth_time=auth_time))

    def client(self, subject: str | None = None, roles: tuple[str, ...] = ("individual",), **kw: Any
               ) -> httpx.AsyncClient:
        return self.service.client(self.token(subject, roles, **kw) if subject else None)

    async def post(self, subject: str, path: str, body: Any = None, roles: tuple[str, ...] = ("individual",),
                   **kw: Any) -> httpx.Response:
        async with self.client(subject, roles, **kw) as c:
            return await c.post(path, json=body)

    async def get(self, subject: str, path: str, roles: tuple[str, ...] = ("individual",),
                  **params: Any) -> httpx.Response:
        async with self.client(subject, roles) as c:
            return await c.get(path, params=params or None)

    def eo(self, jurisdiction: str = "CA") -> tuple[str, tuple[str, ...]]:
        return self.uid("eo"), (f"executive_officer:{jurisdiction}",)

    async def transfer(self, transfer_id: str) -> dict[str, Any]:
        officer, roles = self.eo()
        r = await self.get(officer, f"/v1/transfers/{transfer_id}", roles)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def wait_status(self, transfer_id: str, status: str, timeout: float = 15.0) -> dict[str, Any]:
        async def reached() -> dict[str, Any] | None:
            body = await self.transfer(transfer_id)
            return body if body["status"] == status else None

        return dict(await eventually(reached, timeout=timeout))

    async def sweep(self) -> dict[str, Any]:
        r = await self.post(self.uid("adm"), "/v1/deadlines/sweep", roles=("accounts_administrator:CA",))
        assert r.status_code == 200, r.text
        return dict(r.json())

    # ---- the workflow -------------------------------------------------------------------------
    def spot(self, **overrides: Any) -> dict[str, Any]:
        today = self.clock.now().date()
        terms: dict[str, Any] = {
            "transaction_type": "otc_spot", "agreement_date": today.isoformat(),
            "expected_termination_date": today.isoformat(), "price": "29.15", "currency": "USD",
            "agreement": {"kind": "written", "reference": "MSA-2026-117"},
        }
        terms.update(overrides)
        return {k: v for k, v in terms.items() if v is not None}

    def request(self, source: Party, destination: str, *, quantity: int = 1000, vintage: int | None = 2026,
                transaction: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        instrument: dict[str, Any] = {"instrument_type": "allowance", "vintage": vintage}
        body = {"source_account": source.holding, "destination_account": destination, "instrument": instrument,
                "quantity": quantity, "transaction": transaction or self.spot()}
        body.update(extra)
        return body

    async def submit(self, source: Party, destination: str, *, by: str | None = None, **kw: Any) -> dict[str, Any]:
        r = await self.post(by or source.primary, "/v1/transfers", self.request(source, destination, **kw))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def proposed(self, source: Party, destination: str, **kw: Any) -> dict[str, Any]:
        created = await self.submit(source, destination, **kw)
        return await self.wait_status(created["transfer_id"], "proposed")

    async def to_approval(self, source: Party, destination: Party, **kw: Any) -> dict[str, Any]:
        t = await self.proposed(source, destination.holding, **kw)
        r = await self.post(source.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
        assert r.status_code == 200, r.text
        r = await self.post(destination.primary, f"/v1/transfers/{t['transfer_id']}/accept")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "awaiting_approval"
        return dict(r.json())

    async def approve(self, transfer_id: str, jurisdiction: str = "CA") -> httpx.Response:
        officer, roles = self.eo(jurisdiction)
        return await self.post(officer, f"/v1/transfers/{transfer_id}/determination",
                               {"decision": "approve", "reason": "meets §95921"}, roles)

    async def recorded(self, source: Party, destination: Party, **kw: Any) -> dict[str, Any]:
        t = await self.to_approval(source, destination, **kw)
        r = await self.approve(t["transfer_id"])
        assert r.status_code == 200, r.text
        return await self.wait_status(t["transfer_id"], "recorded")

    async def notifications(self, subject: str, roles: tuple[str, ...] = ("individual",),
                            **params: Any) -> list[dict[str, Any]]:
        r = await self.get(subject, "/v1/notifications", roles, **params)
        assert r.status_code == 200, r.text
        return list(r.json())


def _clock_start(request: pytest.FixtureRequest) -> datetime:
    start = getattr(request.module, "CLOCK_START", None)
    return start if isinstance(start, datetime) else datetime.now(UTC)


@pytest.fixture(scope="module")
def clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(_clock_start(request))


@pytest.fixture(scope="module")
async def transfers(service_factory: Any, clock: ManualClock) -> AsyncIterator[RunningService]:
    async with service_factory("transfers", clock=clock, deadline_sweep_seconds=0.2) as running:
        yield running


@pytest.fixture(scope="module")
async def registry(infra: Any, clock: ManualClock, transfers: RunningService) -> AsyncIterator[SimulatedRegistry]:
    fake = SimulatedRegistry(infra.bootstrap, clock)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def world(transfers: RunningService, registry: SimulatedRegistry, issuer: Any, clock: ManualClock) -> World:
    return World(transfers, registry, issuer[0], clock)
