"""Complete transfer workflows per second, end to end: submit → reserved → confirm → accept →
approve → recorded, over real HTTP with real (step-up) tokens, the real outbox/relay, broker and
consumers, each service in its own process.

    /tmp/venv/bin/python bench/transfers_workflow.py                       # against the real registry
    /tmp/venv/bin/python bench/transfers_workflow.py --registry simulated  # registry simulated on the bus

--registry real (default): the registry service runs too, loaded with its demo data plus a Québec
twin (two funded California entities sell to two Québec entities); it reserves, checks the holding
limit and moves serial blocks. --registry simulated: services/transfers/simulation.py answers the
ledger commands at once, so the figures are the transfers service's own cost plus two bus round trips.

The benchmark learns each transfer's progress from the service's events on transfers.transfers.v1,
so it does not poll. Prints workflows/s and p50/p95/p99 latency of a workflow and of its two bus legs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.transfers.adapters.orm import accounts
from services.transfers.simulation import SimulatedRegistry
from shared.clock import SystemClock
from shared.contracts.registry import AccountChanged, EntityChanged, Representative
from shared.contracts.topics import Topic
from shared.infra.embedded import free_port
from shared.messaging.envelope import Envelope
from shared.testing.fixtures import migrated_database
from shared.testing.infra import Infra, test_infrastructure
from shared.testing.server import serve
from shared.testing.tokens import TestIssuer


@dataclass(frozen=True)
class Pair:
    seller_account: str
    buyer_account: str
    submitter: str
    confirmer: str
    acceptor: str
    vintage: int


@dataclass
class Timings:
    total: list[float] = field(default_factory=list)
    reserve: list[float] = field(default_factory=list)
    record: list[float] = field(default_factory=list)
    failures: int = 0


class Tokens:
    """Step-up tokens, minted once per individual and renewed well inside the 300 s step-up window."""

    def __init__(self, issuer: TestIssuer) -> None:
        self.issuer = issuer
        self._cache: dict[str, tuple[float, str]] = {}

    def __call__(self, subject: str, roles: tuple[str, ...] = ("individual",)) -> dict[str, str]:
        now = time.time()
        cached = self._cache.get(subject)
        if cached is None or now - cached[0] > 200:
            cached = (now, self.issuer.mint(subject, roles=roles, mfa=True, auth_time=now))
            self._cache[subject] = cached
        return {"Authorization": f"Bearer {cached[1]}"}


class Watcher:
    """Learns each transfer's progress from the service's own events (published by its outbox after
    the state change commits)."""

    OUTCOMES = {"transfers.TransferProposed": "proposed", "transfers.TransferRecorded": "recorded",
                "transfers.TransferRefused": "refused", "transfers.TransferDenied": "denied",
                "transfers.TransferExpired": "expired"}

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._waiters: dict[tuple[str, str], asyncio.Future[str]] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10)
        await consumer.start()
        await consumer.topics()
        topic = str(Topic.TRANSFERS)
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0, 1, 2})]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            for records in (await self._consumer.getmany(timeout_ms=50)).values():
                for record in records:
                    envelope = Envelope.from_bytes(record.value)
                    stage = self.OUTCOMES.get(envelope.event_type)
                    if stage is None:
                        continue
                    key = (str(envelope.payload["transfer_id"]), "proposed" if stage == "proposed" else "end")
                    self._seen[key] = stage
                    waiter = self._waiters.pop(key, None)
                    if waiter and not waiter.done():
                        waiter.set_result(stage)

    async def wait(self, tid: str, status: str) -> None:
        key = (tid, "proposed" if status == "proposed" else "end")
        stage = self._seen.get(key)
        if stage is None:
            future = self._waiters.setdefault(key, asyncio.get_running_loop().create_future())
            stage = await asyncio.wait_for(future, 60)
        if stage != status:
            raise RuntimeError(f"{tid} ended {stage}")


async def _workflow(client: httpx.AsyncClient, pair: Pair, tokens: Tokens, timings: Timings,
                    watcher: Watcher) -> None:
    today = datetime.now(UTC).date().isoformat()
    body = {
        "source_account": pair.seller_account, "destination_account": pair.buyer_account,
        "instrument": {"instrument_type": "allowance", "jurisdiction": "CA", "vintage": pair.vintage},
        "quantity": 10,
        "transaction": {"transaction_type": "otc_spot", "agreement_date": today, "expected_termination_date": today,
                        "price": "29.15", "currency": "USD", "agreement": {"kind": "written", "reference": "B-1"}},
    }
    eo = tokens("eo-bench", ("executive_officer:CA",))
    start = time.perf_counter()
    r = await client.post("/v1/transfers", json=body, headers=tokens(pair.submitter))
    r.raise_for_status()
    tid = r.json()["transfer_id"]
    await watcher.wait(tid, "proposed")
    reserved = time.perf_counter()
    (await client.post(f"/v1/transfers/{tid}/confirm", headers=tokens(pair.confirmer))).raise_for_status()
    (await client.post(f"/v1/transfers/{tid}/accept", headers=tokens(pair.acceptor))).raise_for_status()
    approve = time.perf_counter()
    (await client.post(f"/v1/transfers/{tid}/determination", json={"decision": "approve"},
                       headers=eo)).raise_for_status()
    await watcher.wait(tid, "recorded")
    end = time.perf_counter()
    timings.total.append(end - start)
    timings.reserve.append(reserved - start)
    timings.record.append(end - approve)


# ---- the stack --------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def _process(module: str, env: dict[str, str], port: int, profile: str | None = None) -> AsyncIterator[str]:
    """A service in its own process (`python -m services.<name>`), as deployed."""
    command = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []), "-m", module]
    process = subprocess.Popen(command, env={**os.environ, **env})  # noqa: ASYNC220 - once, before measuring
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=2) as client:
            for _ in range(600):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                if process.poll() is not None:
                    raise RuntimeError(f"{module} exited during startup")
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # a graceful stop (and the profile, when asked, is written)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def _env(prefix: str, infra: Infra, database: str, idp_url: str, issuer: TestIssuer, port: int) -> dict[str, str]:
    return {f"{prefix}{k}": v for k, v in {
        "DATABASE_URL": database, "KAFKA_BOOTSTRAP": infra.bootstrap, "IDENTITY_URL": idp_url,
        "JWT_ISSUER": issuer.issuer, "HTTP_PORT": str(port), "LOG_LEVEL": "WARNING", "LOG_JSON": "false",
        "CONSUMER_SESSION_TIMEOUT_MS": "3000"}.items()}


async def _simulated_world(infra: Infra, pairs: int) -> tuple[list[Pair], SimulatedRegistry]:
    registry = SimulatedRegistry(infra.bootstrap, SystemClock())
    await registry.start()
    out = []
    for _ in range(pairs):
        ids = {k: f"{k}_{uuid.uuid4().hex[:8]}" for k in ("se", "be", "sp", "sa", "bp", "SA", "BA")}
        for entity in (ids["se"], ids["be"]):
            await registry.publish(EntityChanged(entity_id=entity, legal_name=entity, entity_type="covered",
                                                 jurisdiction="CA", status="approved"))
        for account, entity, reps in ((ids["SA"], ids["se"], [("sp", "primary"), ("sa", "alternate")]),
                                      (ids["BA"], ids["be"], [("bp", "primary")])):
            await registry.publish(AccountChanged(
                account_number=account, account_type="holding", owner_kind="entity", entity_id=entity,
                jurisdiction="CA", status="open",
                representatives=[Representative(individual_id=ids[k], role=r) for k, r in reps]))  # type: ignore[arg-type]
            registry.accounts.add(account)
        out.append(Pair(ids["SA"], ids["BA"], ids["sp"], ids["sa"], ids["bp"], 2026))
    return out, registry


async def _real_world(registry_database: str) -> list[Pair]:
    """The registry's demo entities in California (funded) and a Québec twin to sell to."""
    from services.registry.application.demo import load_demo_into

    ca = await load_demo_into(registry_database, representatives=[("ind_ca_a", "CA A"), ("ind_ca_b", "CA B")])
    qc = await load_demo_into(registry_database, jurisdiction="QC",
                              representatives=[("ind_qc_c", "QC C"), ("ind_qc_d", "QC D")])
    (ca1, ca2), (qc1, qc2) = ca["entities"], qc["entities"]
    return [Pair(ca1["accounts"]["holding"], qc1["accounts"]["holding"], "ind_ca_a", "ind_ca_b", "ind_qc_c",
                 ca["vintage"]),
            Pair(ca2["accounts"]["holding"], qc2["accounts"]["holding"], "ind_ca_b", "ind_ca_a", "ind_qc_d",
                 ca["vintage"])]


async def _projected(database: str, numbers: set[str]) -> None:
    """Wait until the transfers service's consumer has joined and projected the accounts."""
    engine = create_async_engine(database)
    try:
        for _ in range(600):
            async with engine.connect() as conn:
                query = select(func.count()).select_from(accounts).where(accounts.c.account_number.in_(numbers))
                if (await conn.execute(query)).scalar_one() == len(numbers):
                    return
            await asyncio.sleep(0.1)
        raise TimeoutError("accounts not projected")
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _stack(mode: str, pairs: int, profile: str | None) -> AsyncIterator[tuple[str, list[Pair], TestIssuer,
                                                                                   Watcher]]:
    with test_infrastructure() as infra:
        issuer = TestIssuer()
        async with contextlib.AsyncExitStack() as stack:
            idp = await stack.enter_async_context(serve(issuer.app()))
            database = await migrated_database(infra, "transfers", "bench")
            port = free_port()
            url = await stack.enter_async_context(_process(
                "services.transfers", _env("CAPREG_TRANSFERS_", infra, database, idp.url, issuer, port), port,
                profile))
            if mode == "real":
                registry_db = await migrated_database(infra, "registry", "bench")
                registry_port = free_port()
                await stack.enter_async_context(_process(
                    "services.registry",
                    _env("CAPREG_REGISTRY_", infra, registry_db, idp.url, issuer, registry_port), registry_port))
                world = await _real_world(registry_db)
            else:
                world, simulated = await _simulated_world(infra, pairs)
                stack.push_async_callback(simulated.stop)
            await _projected(database, {a for p in world for a in (p.seller_account, p.buyer_account)})
            watcher = Watcher(infra.bootstrap)
            await watcher.start()
            stack.push_async_callback(watcher.stop)
            yield url, world, issuer, watcher


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def run(mode: str, workflows: int, concurrency: int, warmup: int, profile: str | None = None) -> dict[str, Any]:
    async with _stack(mode, concurrency, profile) as (url, pairs, issuer, watcher):
        tokens = Tokens(issuer)
        limits = httpx.Limits(max_connections=concurrency * 2)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            scratch = Timings()
            await asyncio.gather(*(_workflow(client, pairs[i % len(pairs)], tokens, scratch, watcher)
                                   for i in range(warmup)))
            timings = Timings()
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(workflows):
                queue.put_nowait(i)

            async def worker(pair: Pair) -> None:
                while not queue.empty():
                    queue.get_nowait()
                    try:
                        await _workflow(client, pair, tokens, timings, watcher)
                    except Exception as exc:
                        timings.failures += 1
                        print("workflow failed:", repr(exc))

            began = time.perf_counter()
            await asyncio.gather(*(worker(pairs[i % len(pairs)]) for i in range(concurrency)))
            elapsed = time.perf_counter() - began
    return {
        "registry": "real registry service" if mode == "real" else "simulated responder on the real bus",
        "workflows": len(timings.total), "failures": timings.failures, "concurrency": concurrency,
        "seconds": round(elapsed, 2), "workflows_per_second": round(len(timings.total) / elapsed, 1),
        "latency_ms": {name: {"p50": round(_pct(v, 0.5)), "p95": round(_pct(v, 0.95)), "p99": round(_pct(v, 0.99)),
                              "mean": round(statistics.mean(v) * 1000)}
                       for name, v in (("workflow", timings.total), ("submit_to_reserved", timings.reserve),
                                       ("approve_to_recorded", timings.record))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", choices=("real", "simulated"), default="real")
    parser.add_argument("--workflows", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=16)
    parser.add_argument("--profile", help="write a cProfile of the transfers service process to this file")
    args = parser.parse_args()
    result = asyncio.run(run(args.registry, args.workflows, args.concurrency, args.warmup, args.profile))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
