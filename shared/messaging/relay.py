"""The outbox relay: publishes committed outbox rows to the broker, in order, with acks=all.

- Rows are claimed in id order with FOR UPDATE SKIP LOCKED under a per-database advisory lock,
  so one relay publishes at a time and per-key (per-aggregate) order holds.
- Broker outages are retried with exponential backoff; nothing is marked published until the
  broker acknowledged it.
- Each published row records the broker epoch, partition and offset. A sweep marks rows
  "confirmed" once every subscribing consumer group has committed past them. When the epoch
  changes (the dev broker restarted and lost everything), every unconfirmed row is republished
  in its original order; consumers de-duplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import timedelta

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from sqlalchemy import and_, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock
from shared.contracts.topics import SUBSCRIPTIONS
from shared.db.tables import InfrastructureTables
from shared.messaging.bus import BrokerUnavailable, EpochMonitor
from shared.messaging.envelope import Envelope
from shared.telemetry import meter

log = logging.getLogger(__name__)
_RELAY_LOCK_KEY = 0x6F75_7462_6F78  # "outbox"

_published = meter().create_counter("capreg.outbox.published", description="events published by the relay")
_republished = meter().create_counter(
    "capreg.outbox.republished", description="events queued again after a broker restart"
)


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        tables: InfrastructureTables,
        bootstrap: str,
        clock: Clock,
        epochs: EpochMonitor,
        poll_seconds: float = 0.05,
        epoch_check_seconds: float = 1.0,
        batch_size: int = 500,
        idempotence: bool = False,
        replay_window: timedelta = timedelta(days=7),
    ) -> None:
        self.engine = engine
        self.outbox = tables.outbox
        self.bootstrap = bootstrap
        self.clock = clock
        self.epochs = epochs
        self.poll_seconds = poll_seconds
        self.epoch_check_seconds = epoch_check_seconds
        self.batch_size = batch_size
        self.idempotence = idempotence
        self.replay_window = replay_window
        self._producer: AIOKafkaProducer | None = None
        self._epoch: str | None = None
        self._wake = asyncio.Event()
        self._publish_lock = asyncio.Lock()
        self._stopping = False
        self.backoff_max = 5.0

    # -- lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        listener = asyncio.create_task(self._listen_for_notifications())
        backoff = 0.1
        try:
            while not self._stopping:
                try:
                    await self._run_as_leader()
                    backoff = 0.1
                except (BrokerUnavailable, KafkaError, OSError, asyncpg.PostgresError) as exc:
                    log.warning("relay: %s; retrying in %.1fs", exc, backoff)
                    await self._drop_producer()
                    self.epochs.forget()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.backoff_max)
        finally:
            listener.cancel()
            await self._drop_producer()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _run_as_leader(self) -> None:
        async with self.engine.connect() as lock_conn:
            got = (await lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _RELAY_LOCK_KEY})).scalar()
            if not got:
                await asyncio.sleep(1.0)  # another relay of this service is publishing
                return
            try:
                await self._loop()
            finally:
                await lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _RELAY_LOCK_KEY})

    async def _loop(self) -> None:
        await self._check_epoch()
        maintenance = asyncio.create_task(self._maintain())
        try:
            while not self._stopping:
                if maintenance.done():
                    maintenance.result()  # re-raise its failure: the caller backs off and restarts
                async with self._publish_lock:
                    sent = await self.publish_batch()
                if sent == 0:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds * 20)
                    except TimeoutError:
                        pass
        finally:
            maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await maintenance

    async def _maintain(self) -> None:
        """Off the publishing path: watch the broker epoch and confirm consumed rows."""
        while not self._stopping:
            await asyncio.sleep(self.epoch_check_seconds)
            async with self._publish_lock:
                await self._check_epoch()
            await self._confirm()

    async def _listen_for_notifications(self) -> None:
        """LISTEN for commits that wrote outbox rows, so idle latency stays low without busy polling."""
        while not self._stopping:
            try:
                async with self.engine.connect() as conn:
                    raw = await conn.get_raw_connection()
                    driver = raw.driver_connection
                    assert driver is not None
                    await driver.add_listener("capreg_outbox", lambda *_: self._wake.set())
                    while not self._stopping:
                        await asyncio.sleep(5)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("relay: LISTEN unavailable (%s)", exc)
                await asyncio.sleep(2)

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=self.idempotence,
                linger_ms=2,
                request_timeout_ms=10_000,
                metadata_max_age_ms=5_000,
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:
                log.debug("relay: producer stop failed", exc_info=True)

    # -- epochs and confirmation --------------------------------------------------------------
    async def _check_epoch(self) -> None:
        epoch = await self.epochs.cached(self.epoch_check_seconds * 3)
        if self._epoch is None or epoch != self._epoch:
            if self._epoch is not None:
                log.warning("relay: broker epoch changed %s -> %s; republishing unconfirmed", self._epoch, epoch)
            await self._drop_producer()
            requeued = await self.requeue_unconfirmed(epoch)
            if requeued:
                _republished.add(requeued)
            self._epoch = epoch

    async def requeue_unconfirmed(self, epoch: str) -> int:
        """Queue again every row published under another epoch and never confirmed."""
        horizon = self.clock.now() - self.replay_window
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(self.outbox)
                .where(
                    self.outbox.c.published_at.is_not(None),
                    self.outbox.c.confirmed_at.is_(None),
                    self.outbox.c.publish_epoch.is_distinct_from(epoch),
                    self.outbox.c.created_at >= horizon,
                )
                .values(published_at=None, partition=None, offset=None)
            )
            return result.rowcount or 0

    async def _confirm(self) -> None:
        """Mark rows every subscribing group has committed past (in the current epoch only)."""
        epoch = self._epoch
        if epoch is None:
            return
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(self.outbox.c.topic, self.outbox.c.partition)
                    .where(self.outbox.c.confirmed_at.is_(None), self.outbox.c.publish_epoch == epoch)
                    .distinct()
                )
            ).all()
        by_topic: dict[str, list[int]] = defaultdict(list)
        for topic, partition in rows:
            by_topic[topic].append(partition)
        if not by_topic:
            return
        watermarks = await self._group_watermarks(by_topic)
        if await self.epochs.current() != epoch:
            return  # the broker changed under us: these offsets mean nothing for our rows
        now = self.clock.now()
        async with self.engine.begin() as conn:
            for (topic, partition), committed in watermarks.items():
                await conn.execute(
                    update(self.outbox)
                    .where(
                        and_(
                            self.outbox.c.topic == topic,
                            self.outbox.c.partition == partition,
                            self.outbox.c.offset < committed,
                            self.outbox.c.publish_epoch == epoch,
                            self.outbox.c.confirmed_at.is_(None),
                        )
                    )
                    .values(confirmed_at=now)
                )

    async def _group_watermarks(self, by_topic: dict[str, list[int]]) -> dict[tuple[str, int], int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        out: dict[tuple[str, int], int] = {}
        try:
            await admin.start()
            for topic, partitions in by_topic.items():
                groups = SUBSCRIPTIONS.get(topic, ())
                if not groups:
                    continue
                tps = [TopicPartition(topic, p) for p in partitions]
                lowest: dict[int, int] = {}
                for group in groups:
                    offsets = await admin.list_consumer_group_offsets(group, partitions=tps)
                    for tp in tps:
                        meta = offsets.get(tp)
                        committed = meta.offset if meta is not None and meta.offset >= 0 else 0
                        lowest[tp.partition] = min(lowest.get(tp.partition, committed), committed)
                for partition, committed in lowest.items():
                    out[(topic, partition)] = committed
        finally:
            await admin.close()
        return out

    # -- publishing ------------------------------------------------------------------------
    async def publish_batch(self) -> int:
        producer = await self._get_producer()
        epoch = self._epoch
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(self.outbox.c.id, self.outbox.c.topic, self.outbox.c.message_key, self.outbox.c.envelope)
                    .where(self.outbox.c.published_at.is_(None))
                    .order_by(self.outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = []
            for row in rows:
                envelope = Envelope.model_validate(row.envelope)
                futures.append(
                    await producer.send(
                        row.topic,
                        value=envelope.to_bytes(),
                        key=row.message_key.encode(),
                        headers=envelope.headers(),
                    )
                )
            results = await asyncio.gather(*futures, return_exceptions=True)
            now = self.clock.now()
            marks: list[dict[str, object]] = []
            failure: BaseException | None = None
            for row, res in zip(rows, results, strict=True):
                if isinstance(res, BaseException):
                    # stop at the first failure: later rows are resent after it, in order
                    failure = res
                    await conn.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id == row.id)
                        .values(attempts=self.outbox.c.attempts + 1, last_error=str(res)[:1000])
                    )
                    break
                marks.append({"b_id": row.id, "b_partition": res.partition, "b_offset": res.offset})
            if marks:
                await conn.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id == bindparam("b_id"))
                    .values(
                        published_at=now,
                        publish_epoch=epoch,
                        partition=bindparam("b_partition"),
                        offset=bindparam("b_offset"),
                        attempts=self.outbox.c.attempts + 1,
                    ),
                    marks,
                )
        done = len(marks)
        if failure is not None:
            raise BrokerUnavailable(f"publish failed: {failure!r}")
        _published.add(done)
        return done
