"""A test's view of the bus: what a service publishes, and events published as another service would.

The broker is shared by a whole test session and ids such as account numbers restart in every test
database, so the tap starts at the end of its topics: it sees only what is published after it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.base import Event, event_class
from shared.messaging.bus import ensure_topics
from shared.messaging.envelope import Envelope
from shared.testing.server import eventually


class BusTap:
    def __init__(self, bootstrap: str, topics: Iterable[str], *, producer: str = "tests") -> None:
        self.bootstrap = bootstrap
        self.topics = [str(t) for t in topics]
        self.producer_name = producer
        self.seen: list[Envelope] = []
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap)
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await self._producer.start()
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        await consumer.topics()
        tps = [TopicPartition(t, p) for t in self.topics for p in sorted(consumer.partitions_for_topic(t) or {0})]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:  # fix the starting point before the test publishes anything
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for client in (self._consumer, self._producer):
            if client is not None:
                await client.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=100)
            for records in batch.values():
                for record in records:
                    with contextlib.suppress(Exception):  # a test may publish malformed records on purpose
                        self.seen.append(Envelope.from_bytes(record.value))

    # -- what was published ---------------------------------------------------------------------
    def find(self, event_type: str, **match: Any) -> list[dict[str, Any]]:
        """Payloads of `event_type` whose fields equal `match`."""
        return [e.payload for e in self.seen
                if e.event_type == event_type and all(e.payload.get(k) == v for k, v in match.items())]

    async def wait(self, event_type: str, timeout: float = 20.0, **match: Any) -> dict[str, Any]:
        found = await eventually(lambda: self.find(event_type, **match), timeout=timeout)
        return found[0]  # type: ignore[no-any-return]

    def events(self, kind: type[Event], **match: Any) -> list[Any]:
        """Events of contract `kind` whose attributes equal `match`."""
        out = []
        for envelope in self.seen:
            contract = event_class(envelope.event_type, envelope.schema_version)
            if contract is kind:
                event = kind.model_validate(envelope.payload)
                if all(getattr(event, k) == v for k, v in match.items()):
                    out.append(event)
        return out

    async def wait_for(self, kind: type[Event], count: int = 1, timeout: float = 20.0, **match: Any) -> list[Any]:
        async def enough() -> list[Any] | None:
            found = self.events(kind, **match)
            return found if len(found) >= count else None

        return list(await eventually(enough, timeout=timeout))

    # -- publishing as another service --------------------------------------------------------------
    async def publish(self, event: Event, *, producer: str | None = None, occurred_at: datetime | None = None,
                      event_id: uuid.UUID | None = None) -> Envelope:
        envelope = Envelope(
            event_id=event_id or uuid.uuid4(), event_type=event.EVENT_TYPE, schema_version=event.SCHEMA_VERSION,
            occurred_at=occurred_at or datetime.now(UTC), producer=producer or self.producer_name,
            aggregate_id=event.aggregate_id(), payload=event.model_dump(mode="json"),
        )
        await self.send(str(event.TOPIC), envelope)
        return envelope

    async def send(self, topic: str, envelope: Envelope) -> None:
        """Publish an envelope as it is (e.g. to deliver the same event twice)."""
        assert self._producer is not None
        await self._producer.send_and_wait(topic, envelope.to_bytes(), key=envelope.aggregate_id.encode(),
                                           headers=envelope.headers())
