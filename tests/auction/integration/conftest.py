"""Harness for the auction service over the real bus: the service on real HTTP with a ManualClock,
the other services simulated by publishing their events (Envelope + aiokafka) to the real broker,
and real RS256 tokens minted with the test issuer (auth_time follows the manual clock)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.clock import ManualClock
from shared.contracts.auction import Money
from shared.contracts.base import Event
from shared.contracts.financial import GuaranteeAccepted
from shared.contracts.identity import IndividualApproved
from shared.contracts.registry import AccountChanged, EntityChanged, Representative
from shared.messaging.bus import ensure_topics
from shared.messaging.envelope import Envelope
from shared.testing.server import RunningService, eventually

pytestmark = pytest.mark.integration

# Monday 4 January 2027, 09:00 in Sacramento: the 2027 reserve prices were announced on 1 December 2026
START = datetime(2027, 1, 4, 17, 0, tzinfo=UTC)
# the auction: Wednesday 10 March 2027, 10:00-13:00 Pacific (a first-quarter auction, §95912(c)(7))
OPENS = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
CLOSES = datetime(2027, 3, 10, 21, 0, tzinfo=UTC)
RESERVES = {"CA": {2027: "27.50", 2028: "29.00"}, "QC": {2027: "36.00", 2028: "38.00"}}


class Bus:
    """Publishes other services' events to the real broker, and reads what the auction service published."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap)
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, event: Event, *, producer: str, occurred_at: datetime) -> Envelope:
        assert self._producer is not None
        envelope = Envelope(event_type=event.EVENT_TYPE, schema_version=event.SCHEMA_VERSION, occurred_at=occurred_at,
                            producer=producer, aggregate_id=event.aggregate_id(), payload=event.model_dump(mode="json"))
        await self._producer.send_and_wait(event.TOPIC, envelope.to_bytes(), key=envelope.aggregate_id.encode(),
                                           headers=envelope.headers())
        return envelope

    async def read(self, topic: str, predicate: Callable[[Envelope], bool], *, count: int = 1,
                   timeout: float = 20.0) -> list[Envelope]:
        """Every record of `topic` (from the beginning) matching `predicate`, once `count` are there."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                await consumer.topics()
                partitions = consumer.partitions_for_topic(topic) or {0, 1, 2}
            tps = [TopicPartition(topic, p) for p in sorted(partitions)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            found: list[Envelope] = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while loop.time() < deadline and len(found) < count:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for record in records:
                        envelope = Envelope.from_bytes(record.value)
                        if predicate(envelope):
                            found.append(envelope)
            assert len(found) >= count, f"expected {count} records on {topic}, found {len(found)}"
            return found
        finally:
            await consumer.stop()


@pytest.fixture(scope="module")
async def bus(infra: Any) -> AsyncIterator[Bus]:
    bus = Bus(infra.bootstrap)
    await bus.start()
    yield bus
    await bus.stop()


@dataclass
class Entity:
    entity_id: str
    name: str
    jurisdiction: str
    holding: str
    representatives: dict[str, str]  # individual id -> role


class World:
    """Drives the auction API as each actor would, with real tokens, and plays the other services."""

    start, opens, closes = START, OPENS, CLOSES

    def __init__(self, service: RunningService, bus: Bus, issuer: Any, clock: ManualClock) -> None:
        self.service, self.bus, self.issuer, self.clock = service, bus, issuer, clock
        self.tag = uuid.uuid4().hex[:8]

    def uid(self, prefix: str) -> str:
        return f"{prefix}_{self.tag}_{uuid.uuid4().hex[:6]}"

    # ---- tokens and HTTP ---------------------------------------------------------------------------
    def token(self, subject: str, *roles: str, mfa: bool = True) -> str:
        """A real RS256 token; its MFA time is the service's (manual) now, so step-up holds."""
        # issued at the service's (manual) clock and valid across the months a test moves through, so
        # the outcome does not depend on the machine's date; step-up still uses auth_time
        now = self.clock.now().timestamp()
        return str(self.issuer.mint(subject, roles=list(roles) or ["individual"], mfa=mfa, issued_at=now,
                                    ttl=400 * 86_400, auth_time=now))

    def admin(self, jurisdiction: str = "CA") -> str:
        return self.token(f"staff-admin-{jurisdiction}", f"auction_administrator:{jurisdiction}")

    def eo(self, jurisdiction: str = "CA") -> str:
        return self.token(f"staff-eo-{jurisdiction}", f"executive_officer:{jurisdiction}")

    def monitor(self) -> str:
        return self.token("staff-monitor", "market_monitor:CA", "market_monitor:QC")

    async def call(self, method: str, path: str, token: str | None, json: Any = None,
                   expect: int | None = None) -> httpx.Response:
        async with self.service.client(token) as client:
            response = await client.request(method, path, json=json)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response

    # ---- the other services, on the bus ------------------------------------------------------------
    async def emit(self, event: Event, producer: str) -> None:
        await self.bus.publish(event, producer=producer, occurred_at=self.clock.now())

    async def individual(self, individual_id: str, jurisdiction: str = "CA") -> None:
        await self.emit(IndividualApproved(individual_id=individual_id, legal_name=f"Person {individual_id}",
                                           jurisdiction=jurisdiction, approved_by="registrar",
                                           approved_at=self.clock.now()), "identity")

    async def entity(self, *, jurisdiction: str = "CA", entity_type: str = "covered", status: str = "approved",
                     representatives: dict[str, str], kyc: bool = True, holding_status: str = "open",
                     name: str | None = None) -> Entity:
        entity_id = self.uid("ent")
        entity = Entity(entity_id, name or f"Entity {entity_id}", jurisdiction, self.uid(f"{jurisdiction}-H"),
                        representatives)
        if kyc:
            for individual_id in representatives:
                await self.individual(individual_id, jurisdiction)
        await self.emit(EntityChanged(entity_id=entity_id, legal_name=entity.name, entity_type=entity_type,
                                      jurisdiction=jurisdiction, status=status), "registry")
        await self.account(entity, status=holding_status)
        return entity

    async def account(self, entity: Entity, *, status: str = "open") -> None:
        await self.emit(AccountChanged(
            account_number=entity.holding, account_type="holding", owner_kind="entity", entity_id=entity.entity_id,
            jurisdiction=entity.jurisdiction, status=status,
            representatives=[Representative(individual_id=i, role=r)  # type: ignore[arg-type]
                             for i, r in entity.representatives.items()]), "registry")

    async def set_entity_status(self, entity: Entity, status: str, entity_type: str = "covered") -> None:
        await self.emit(EntityChanged(entity_id=entity.entity_id, legal_name=entity.name, entity_type=entity_type,
                                      jurisdiction=entity.jurisdiction, status=status), "registry")

    async def auction_holding_accounts(self) -> dict[str, str]:
        numbers = {}
        for jurisdiction in ("CA", "QC"):
            numbers[jurisdiction] = self.uid(f"{jurisdiction}-AUCTION")
            await self.emit(AccountChanged(account_number=numbers[jurisdiction], account_type="auction_holding",
                                           owner_kind="jurisdiction", entity_id=None, jurisdiction=jurisdiction,
                                           status="open", representatives=[]), "registry")
        return numbers

    async def guarantee(self, auction_id: str, entity: Entity, amount: str, currency: str = "USD") -> None:
        await self.emit(GuaranteeAccepted(auction_id=auction_id, entity_id=entity.entity_id,
                                          accepted_value=Money(amount=amount, currency=currency),  # type: ignore[arg-type]
                                          accepted_at=self.clock.now()), "financial")

    async def known(self, entity: Entity, *, status: str | None = None, kyc: bool = True) -> dict[str, Any]:
        """Wait until the auction service has applied the registry's (and identity's) events."""
        async def ready() -> dict[str, Any] | None:
            r = await self.call("GET", f"/v1/entities/{entity.entity_id}/standing", self.admin())
            if r.status_code != 200:
                return None
            body: dict[str, Any] = r.json()
            reps = {x["individual_id"]: x for x in body["representatives"]}
            if set(reps) != set(entity.representatives):
                return None
            if kyc and any(x["kyc_status"] != "approved" for x in reps.values()):
                return None
            if status is not None and body["status"] != status:
                return None
            return body
        result: dict[str, Any] = await eventually(ready, timeout=30, interval=0.1)
        return result

    async def fsa_information(self, individual_id: str) -> None:
        await self.call("PUT", "/v1/representatives/me/fsa-information", self.token(individual_id), {
            "legal_name": f"Person {individual_id}", "title": "Trader", "employer": "Entity",
            "telephone": "+1 916 555 0100", "email": f"{individual_id}@example.org",
            "mailing_address": "1001 I Street, Sacramento", "attests_information_is_true": True,
        }, expect=200)

    # ---- the auction ---------------------------------------------------------------------------
    def notice_body(self, *, jurisdictions: tuple[str, ...] = ("CA", "QC"), opens: datetime = OPENS,
                    closes: datetime = CLOSES, consignor: str | None = None, **overrides: Any) -> dict[str, Any]:
        current: dict[str, Any] = {"CA": {"state_owned": 60_000, "consigned": {consignor: 10_000} if consignor else {}}}
        advance: dict[str, Any] = {"CA": {"state_owned": 20_000}}
        if "QC" in jurisdictions:
            current["QC"] = {"state_owned": 30_000}
            advance["QC"] = {"state_owned": 10_000}
        if not consignor:
            current["CA"]["state_owned"] = 70_000
        body = {
            "jurisdictions": list(jurisdictions),
            "bidding_opens_at": opens.isoformat(), "bidding_closes_at": closes.isoformat(),
            "application_instructions": "Apply in the auction platform by the deadline.",
            "bid_submission": "Sealed bids in the platform, in lots of 1,000, whole cents.",
            "procedures": "Single round, uniform price; Current cleared before Advance.",
            "administrative_requirements": "Approved eligibility, a bid guarantee 12 days before.",
            "annual_allowances": {j: 1_000_000 for j in jurisdictions},
            "offers": {"current": current, "advance": advance},
        }
        body.update(overrides)
        return body

    async def publish_auction(self, **kwargs: Any) -> str:
        r = await self.call("POST", "/v1/auctions", self.admin(), self.notice_body(**kwargs), expect=201)
        return str(r.json()["auction_id"])

    @staticmethod
    def application_body(entity: Entity, *, currency: str = "USD", headroom: int = 50_000,
                         intends_to_bid: bool = True) -> dict[str, Any]:
        return {"entity_id": entity.entity_id, "currency": currency, "intends_to_bid": intends_to_bid,
                "eligibility": {"holding_limit_headroom": headroom,
                                "investigation_attestation": {"has_investigations": False}}}

    async def approved_bidder(self, auction_id: str, entity: Entity, representative: str, *,
                              currency: str = "USD", headroom: int = 50_000) -> None:
        """Application (d)(4), (e), then both executive-officer approvals."""
        await self.call("POST", f"/v1/auctions/{auction_id}/applications", self.token(representative),
                        self.application_body(entity, currency=currency, headroom=headroom), expect=201)
        eo = self.eo(entity.jurisdiction)
        base = f"/v1/auctions/{auction_id}/applications/{entity.entity_id}"
        await self.call("POST", base + "/eligibility", eo, {"decision": "approve"}, expect=200)
        await self.call("POST", base + "/participation", eo, {"decision": "approve"}, expect=200)

    async def wait_guarantee(self, auction_id: str, entity: Entity, amount: str) -> None:
        async def seen() -> bool:
            r = await self.call("GET", f"/v1/auctions/{auction_id}/applications/{entity.entity_id}", self.admin())
            guarantee = r.json().get("bidding_terms", {}).get("bid_guarantee")
            return guarantee is not None and Decimal(guarantee["amount"]) == Decimal(amount)
        await eventually(seen, timeout=30, interval=0.1)

    async def bid(self, auction_id: str, representative: str, entity: Entity, pool: str, price: str, quantity: int,
                  currency: str = "USD", *, mfa: bool = True) -> httpx.Response:
        return await self.call("POST", f"/v1/auctions/{auction_id}/bids", self.token(representative, mfa=mfa), {
            "entity_id": entity.entity_id, "pool": pool, "price": price, "currency": currency, "quantity": quantity})

    @staticmethod
    def code(response: httpx.Response) -> str:
        return str(response.json()["error"]["code"])

    def move_to(self, instant: datetime) -> None:
        self.clock.set(instant)

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))


@pytest.fixture
def make_world(service_factory: Any, issuer: Any, bus: Bus) -> Callable[..., Any]:
    """An auction service (fresh database) with a manual clock at START and these settings overrides."""
    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[World]:
        clock = ManualClock(START)
        async with service_factory("auction", clock=clock, reserve_prices=RESERVES, **overrides) as service:
            yield World(service, bus, issuer[0], clock)
    return start


@pytest.fixture
async def world(make_world: Callable[..., Any]) -> AsyncIterator[World]:
    async with make_world() as started:
        yield started
