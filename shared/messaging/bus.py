"""Topic administration and broker-incarnation ("epoch") detection.

The dev broker keeps nothing: a restart is a new, empty cluster that still acknowledges writes
from producers with stale metadata. Every relay and consumer therefore reads the first record of
the epoch topic; when it is missing or different from the one they started with, the broker was
restarted: topics are recreated, clients rebuilt and unconfirmed outbox rows republished.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.contracts.topics import EPOCH_TOPIC, all_topics_with_dead_letters

log = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    pass


async def ensure_topics(bootstrap: str, topics: list[str] | None = None, *, partitions: int = 3) -> None:
    wanted = topics or all_topics_with_dead_letters()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            new = [NewTopic(t, 1 if t == EPOCH_TOPIC else partitions, 1) for t in missing]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
            except KafkaError as exc:  # a concurrent creator won the race for some of them
                log.info("create_topics: %s", exc)
    except KafkaError as exc:
        raise BrokerUnavailable(str(exc)) from exc
    finally:
        await admin.close()


class EpochMonitor:
    """Reads (and, on a fresh cluster, writes) the broker's epoch marker."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._lock = asyncio.Lock()
        self._cached: tuple[float, str] | None = None

    async def cached(self, max_age: float) -> str:
        """The epoch, re-read from the broker at most every `max_age` seconds (shared in-process)."""
        loop = asyncio.get_running_loop()
        if self._cached and loop.time() - self._cached[0] < max_age:
            return self._cached[1]
        epoch = await self.current()
        self._cached = (loop.time(), epoch)
        return epoch

    def forget(self) -> None:
        self._cached = None

    async def watch(self, interval: float) -> None:
        """Keep the cached epoch fresh in the background so readers never wait on the broker."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                epoch = await self.current()
                self._cached = (loop.time(), epoch)
            except BrokerUnavailable as exc:
                log.info("bus: epoch check failed: %s", exc)
            await asyncio.sleep(interval)

    async def _read_marker(self) -> str | None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            request_timeout_ms=5000,
            metadata_max_age_ms=1000,
        )
        try:
            await consumer.start()
            partitions = await consumer._client.fetch_all_metadata()
            if EPOCH_TOPIC not in partitions.topics():
                return None
            tp = TopicPartition(EPOCH_TOPIC, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            batch = await consumer.getmany(tp, timeout_ms=1500, max_records=1)
            records = batch.get(tp, [])
            return records[0].value.decode() if records and records[0].value else None
        except KafkaError as exc:
            raise BrokerUnavailable(str(exc)) from exc
        finally:
            await consumer.stop()

    async def current(self) -> str:
        """The epoch of the cluster now answering; creates topics and the marker on a new one."""
        async with self._lock:
            marker = await self._read_marker()
            if marker:
                return marker
            log.warning("bus: no epoch marker, treating the broker as a new cluster")
            await ensure_topics(self.bootstrap)
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
            try:
                await producer.start()
                await producer.send_and_wait(EPOCH_TOPIC, uuid.uuid4().hex.encode(), partition=0)
            except KafkaError as exc:
                raise BrokerUnavailable(str(exc)) from exc
            finally:
                await producer.stop()
            marker = await self._read_marker()  # the first marker written wins
            if not marker:
                raise BrokerUnavailable("epoch marker not readable after write")
            return marker
