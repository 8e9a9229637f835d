"""What a running service holds: engine, clock, bus clients, token verifier; started in lifespan.

`ServiceRuntime` does no I/O when built; `start()` connects and launches the outbox relay and the
service's consumers as background tasks, `stop()` closes everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from opentelemetry.metrics import CallbackOptions, Meter, Observation
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.auth.verify import JwksClient, RevocationList, TokenVerifier
from shared.clock import Clock
from shared.config import ServiceSettings
from shared.contracts.identity import CredentialsRevoked
from shared.contracts.topics import Topic
from shared.db.engine import make_engine, make_session_factory
from shared.db.tables import InfrastructureTables
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.bus import EpochMonitor
from shared.messaging.consumer import Handler, IdempotentConsumer
from shared.messaging.envelope import Envelope
from shared.messaging.relay import OutboxRelay
from shared.messaging.stats import OutboxStats, outbox_stats
from shared.telemetry import meter

log = logging.getLogger(__name__)

BUS_SAMPLE_SECONDS = 5.0  # how often a running service samples its outbox backlog for the metrics


@dataclass
class Subscription:
    topics: list[str]
    handlers: Mapping[str, Handler]


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    tables: InfrastructureTables
    clock: Clock
    uow_class: type[SqlAlchemyUnitOfWork] = SqlAlchemyUnitOfWork
    subscriptions: list[Subscription] = field(default_factory=list)
    engine: AsyncEngine | None = None
    session_factory: async_sessionmaker[AsyncSession] | None = None
    epochs: EpochMonitor | None = None
    relay: OutboxRelay | None = None
    consumers: list[IdempotentConsumer] = field(default_factory=list)
    revocations: RevocationList = field(default_factory=RevocationList)
    verifier: TokenVerifier | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    background_hooks: list[Callable[[ServiceRuntime], asyncio.Task[None]]] = field(default_factory=list)
    outbox_stats: OutboxStats = field(default_factory=OutboxStats)  # last sample, for the gauges

    @property
    def name(self) -> str:
        return self.settings.service_name

    def uow(self) -> SqlAlchemyUnitOfWork:
        assert self.session_factory is not None, "runtime not started"
        return self.uow_class(self.session_factory, self.tables, producer=self.name, clock=self.clock)

    def credential_subscription(self) -> Subscription:
        """Every service honours credential revocations published by identity (within seconds)."""
        return Subscription([Topic.IDENTITY_CREDENTIALS], {CredentialsRevoked.EVENT_TYPE: self._on_revoked})

    async def _on_revoked(self, event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        assert isinstance(event, CredentialsRevoked)
        table = self.tables.revoked_credentials
        for subject in event.individual_ids:
            stmt = insert(table).values(subject=subject, revoked_before=event.revoked_before, reason=event.reason)
            stmt = stmt.on_conflict_do_update(
                index_elements=[table.c.subject],
                set_={"revoked_before": stmt.excluded.revoked_before, "reason": stmt.excluded.reason},
                where=table.c.revoked_before < stmt.excluded.revoked_before,
            )
            await uow.session.execute(stmt)
            self.revocations.revoke_subject(subject, event.revoked_before)

    async def start(self) -> None:
        s = self.settings
        self.engine = make_engine(s.database_url)
        self.session_factory = make_session_factory(self.engine)
        self.epochs = EpochMonitor(s.kafka_bootstrap)
        jwks = JwksClient(s.identity_url.rstrip("/") + "/.well-known/jwks.json")
        self.verifier = TokenVerifier(jwks, issuer=s.jwt_issuer, audience=s.jwt_audience, revocations=self.revocations,
                                      clock=self.clock)
        await self._load_revocations()
        if not s.run_background:
            return
        self._tasks.append(asyncio.create_task(self.epochs.watch(s.bus_check_seconds), name=f"{self.name}-epochs"))
        self.relay = OutboxRelay(
            engine=self.engine,
            tables=self.tables,
            bootstrap=s.kafka_bootstrap,
            clock=self.clock,
            epochs=self.epochs,
            poll_seconds=s.relay_poll_seconds,
            epoch_check_seconds=s.bus_check_seconds,
            idempotence=s.kafka_idempotence,
        )
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        self._tasks.append(asyncio.create_task(self._sample_bus(), name=f"{self.name}-bus-stats"))
        _live.append(self)
        for sub in self.subscriptions:
            consumer = IdempotentConsumer(
                group=self.name,
                bootstrap=s.kafka_bootstrap,
                handlers=sub.handlers,
                uow_factory=self.uow,
                epochs=self.epochs,
                topics=[str(t) for t in sub.topics],
                session_timeout_ms=s.consumer_session_timeout_ms,
                epoch_check_seconds=s.bus_check_seconds,
            )
            self.consumers.append(consumer)
            self._tasks.append(asyncio.create_task(consumer.run(), name=f"{self.name}-consumer"))
        for hook in self.background_hooks:
            self._tasks.append(hook(self))

    async def _sample_bus(self) -> None:
        """Keep `outbox_stats` fresh: metric callbacks run in the exporter's thread and cannot query."""
        assert self.engine is not None
        while True:
            try:
                async with self.engine.connect() as conn:
                    self.outbox_stats = await outbox_stats(conn, self.tables.outbox, self.clock.now())
            except Exception as exc:
                log.debug("%s: outbox not sampled: %r", self.name, exc)
            await asyncio.sleep(BUS_SAMPLE_SECONDS)

    async def _load_revocations(self) -> None:
        assert self.engine is not None
        table = self.tables.revoked_credentials
        try:
            async with self.engine.connect() as conn:
                for subject, before in (await conn.execute(select(table.c.subject, table.c.revoked_before))).all():
                    self.revocations.revoke_subject(subject, before)
        except Exception as exc:
            log.warning("could not load revocations: %s", exc)

    async def stop(self) -> None:
        _live[:] = [rt for rt in _live if rt is not self]
        if self.relay is not None:
            self.relay.stop()
        for consumer in self.consumers:
            consumer.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.consumers.clear()
        if self.engine is not None:
            await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            assert self.engine is not None
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1 FROM outbox LIMIT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        try:
            assert self.epochs is not None
            await asyncio.wait_for(self.epochs.cached(2.0), 5.0)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"unavailable: {type(exc).__name__}"
        return checks


_live: list[ServiceRuntime] = []  # started runtimes of this process (tests run several in one)


def _outbox_observations(read: Callable[[OutboxStats], float]) -> Callable[[CallbackOptions], list[Observation]]:
    def observe(options: CallbackOptions) -> list[Observation]:
        return [Observation(read(rt.outbox_stats), {"service": rt.name}) for rt in list(_live)]

    return observe


def _consumer_lag(options: CallbackOptions) -> list[Observation]:
    return [Observation(lag, {"service": rt.name, "group": c.group, "topic": topic})
            for rt in list(_live) for c in list(rt.consumers) for topic, lag in dict(c.lag).items()]


def install_bus_gauges(m: Meter) -> None:
    """Observable gauges of the bus: outbox backlog and consumer lag (dead letters are a counter)."""
    m.create_observable_gauge("capreg.outbox.pending", [_outbox_observations(lambda s: s.pending)],
                              unit="{event}", description="events committed to the outbox, not yet published")
    m.create_observable_gauge("capreg.outbox.oldest_pending_age", [
        _outbox_observations(lambda s: s.oldest_pending_age_seconds)],
        unit="s", description="age of the oldest unpublished outbox event")
    m.create_observable_gauge("capreg.outbox.unconfirmed", [_outbox_observations(lambda s: s.published_unconfirmed)],
                              unit="{event}", description="published events not yet consumed by every subscriber")
    m.create_observable_gauge("capreg.consumer.lag", [_consumer_lag], unit="{record}",
                              description="records on the topic not yet applied by the consumer group")


install_bus_gauges(meter())


def utcnow() -> datetime:
    return datetime.now(UTC)
