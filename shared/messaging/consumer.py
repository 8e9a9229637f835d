"""The idempotent consumer.

For every record: the event id goes into the inbox in the same transaction as the handler's
effect, so a redelivery is a no-op. Offsets are committed only after the database commit.
A record that cannot be parsed, or whose handler keeps failing, goes to `<topic>.dlq` with its
original headers plus the error, and the consumer goes on with the next record.
On a broker restart (new epoch) the consumer is rebuilt and starts from the earliest offset of
the new, empty cluster, where the relays republish what was never confirmed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from opentelemetry import trace
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert

from shared.context import RequestContext, reset_context, set_context
from shared.contracts.base import Event, event_class
from shared.contracts.topics import dead_letter_topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.bus import BrokerUnavailable, EpochMonitor
from shared.messaging.envelope import Envelope
from shared.telemetry import context_from_traceparent, meter, tracer

log = logging.getLogger(__name__)

Handler = Callable[[Event, Envelope, SqlAlchemyUnitOfWork], Awaitable[None]]

_consumed = meter().create_counter("capreg.consumer.processed", description="events applied by consumers")
_duplicates = meter().create_counter("capreg.consumer.duplicates", description="redeliveries ignored")
_dead = meter().create_counter("capreg.consumer.dead_lettered", description="events sent to a dead-letter topic")


class PoisonMessage(Exception):
    """The record can never be processed (unparseable, unknown contract, invalid payload)."""


class IdempotentConsumer:
    def __init__(
        self,
        *,
        group: str,
        bootstrap: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], SqlAlchemyUnitOfWork],
        epochs: EpochMonitor,
        topics: list[str],
        session_timeout_ms: int = 6000,
        epoch_check_seconds: float = 1.0,
        handler_attempts: int = 3,
        fetch_max_wait_ms: int = 50,
    ) -> None:
        self.group = group
        self.bootstrap = bootstrap
        self.handlers = dict(handlers)
        self.uow_factory = uow_factory
        self.epochs = epochs
        self.topics = topics
        self.session_timeout_ms = session_timeout_ms
        self.epoch_check_seconds = epoch_check_seconds
        self.handler_attempts = handler_attempts
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self._stopping = False
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._epoch: str | None = None
        self.ready = asyncio.Event()  # set once partitions are assigned
        self.lag: dict[str, int] = {}  # per topic: records not yet applied (high watermark - position)
        self.dead_lettered = 0  # records sent to a dead-letter topic since this process started

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                await self._run_epoch()
                backoff = 0.1
            except (BrokerUnavailable, KafkaError, OSError) as exc:
                log.warning("consumer %s: %s; retrying in %.1fs", self.group, exc, backoff)
                self.epochs.forget()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                await self._close_clients()

    async def _close_clients(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._dlq_producer = self._dlq_producer, None
        self.ready.clear()
        for client in (consumer, producer):
            if client is not None:
                try:
                    await client.stop()
                except Exception:
                    log.debug("consumer %s: client stop failed", self.group, exc_info=True)

    async def _run_epoch(self) -> None:
        self._epoch = await self.epochs.cached(self.epoch_check_seconds * 3)
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(self.session_timeout_ms // 3, 500),
            metadata_max_age_ms=5000,
            # the broker answers an empty fetch after this long; short, so an event that arrives
            # just after a fetch is not held back (aiokafka's 500 ms default dominated latency)
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )
        self._consumer = consumer
        await consumer.start()
        self._dlq_producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await self._dlq_producer.start()
        loop = asyncio.get_running_loop()
        last_check = last_lag = loop.time()
        while not self._stopping:
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            if consumer.assignment():
                self.ready.set()
            for tp, records in batch.items():
                if not await self._process_together(records):
                    for record in records:
                        await self._process(record)
                await consumer.commit({tp: records[-1].offset + 1})
            if loop.time() - last_lag >= 1.0:
                last_lag = loop.time()
                await self._measure_lag(consumer)
            if loop.time() - last_check >= self.epoch_check_seconds:
                last_check = loop.time()
                epoch = await self.epochs.cached(self.epoch_check_seconds * 3)
                if epoch != self._epoch:
                    log.warning("consumer %s: broker epoch changed; rebuilding from earliest", self.group)
                    return

    async def _measure_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Per topic, how far the group is behind: the last fetched high watermark minus our position."""
        lag: dict[str, int] = {}
        try:
            for tp in consumer.assignment():
                high = consumer.highwater(tp)
                if high is None:
                    continue  # nothing fetched from this partition yet
                lag[tp.topic] = lag.get(tp.topic, 0) + max(high - await consumer.position(tp), 0)
        except KafkaError as exc:  # assignment changed under us: measure again next time
            log.debug("consumer %s: lag not measured: %r", self.group, exc)
            return
        self.lag = lag

    async def _process_together(self, records: list[ConsumerRecord[Any, Any]]) -> bool:
        """Apply a partition's batch in one transaction (one inbox row per event).

        Returns False, with nothing applied, if any record is poison or any handler fails: the
        caller then processes the records one by one, in order, with retries and dead-lettering.
        """
        decoded = []
        for record in records:
            try:
                decoded.append((record, *self._decode(record)))
            except PoisonMessage:
                return False
        token = set_context(RequestContext(actor="event:batch"))
        try:
            uow = self.uow_factory()
            async with uow:
                applied = 0
                for record, envelope, event in decoded:
                    handler = self.handlers.get(envelope.event_type)
                    if handler is None:
                        continue
                    set_context(
                        RequestContext(
                            actor=f"event:{envelope.producer}",
                            correlation_id=envelope.correlation_id,
                            causation_id=str(envelope.event_id),
                        )
                    )
                    with tracer().start_as_current_span(
                        f"consume {record.topic}",
                        context=context_from_traceparent(envelope.traceparent),
                        kind=trace.SpanKind.CONSUMER,
                    ) as span:
                        span.set_attribute("messaging.destination.name", record.topic)
                        span.set_attribute("capreg.event_type", envelope.event_type)
                        if await self._claim(uow, envelope, record.topic):
                            await handler(event, envelope, uow)
                            applied += 1
                await uow.commit()
            _consumed.add(applied, {"group": self.group})
            return True
        except Exception as exc:
            log.info("consumer %s: batch of %d falls back to one by one: %r", self.group, len(records), exc)
            return False
        finally:
            reset_context(token)

    async def _claim(self, uow: SqlAlchemyUnitOfWork, envelope: Envelope, topic: str) -> bool:
        """Insert the inbox row; False when this event was already applied (a redelivery)."""
        inbox = uow.tables.inbox
        inserted = await uow.session.execute(
            insert(inbox)
            .values(
                event_id=envelope.event_id,
                consumer=self.group,
                topic=topic,
                event_type=envelope.event_type,
                processed_at=uow.clock.now(),
            )
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        if inserted.first() is None:
            _duplicates.add(1, {"group": self.group})
            return False
        return True

    async def _process(self, record: ConsumerRecord[Any, Any]) -> None:
        try:
            envelope, event = self._decode(record)
        except PoisonMessage as exc:
            await self._dead_letter(record, exc)
            return
        handler = self.handlers.get(envelope.event_type)
        if handler is None:
            return  # not for us: tolerant readers ignore other event types on the topic
        parent = context_from_traceparent(envelope.traceparent)
        last_error: Exception | None = None
        for attempt in range(1, self.handler_attempts + 1):
            with tracer().start_as_current_span(
                f"consume {record.topic}", context=parent, kind=trace.SpanKind.CONSUMER
            ) as span:
                span.set_attribute("messaging.destination.name", record.topic)
                span.set_attribute("capreg.event_type", envelope.event_type)
                try:
                    await self._apply(handler, event, envelope, record.topic)
                    return
                except Exception as exc:
                    last_error = exc
                    span.record_exception(exc)
                    log.warning("consumer %s: handler failed (attempt %d): %r", self.group, attempt, exc)
                    await asyncio.sleep(0.05 * attempt)
        assert last_error is not None
        await self._dead_letter(record, last_error)

    def _decode(self, record: ConsumerRecord[Any, Any]) -> tuple[Envelope, Event]:
        try:
            envelope = Envelope.from_bytes(record.value)
        except (ValueError, ValidationError) as exc:
            raise PoisonMessage(f"unreadable envelope: {exc}") from exc
        contract = event_class(envelope.event_type, envelope.schema_version)
        if contract is None:
            if envelope.event_type in self.handlers:
                raise PoisonMessage(f"no contract for {envelope.event_type} v{envelope.schema_version}")
            return envelope, Event()
        try:
            return envelope, contract.model_validate(envelope.payload)
        except ValidationError as exc:
            raise PoisonMessage(f"payload does not match {envelope.event_type}: {exc}") from exc

    async def _apply(self, handler: Handler, event: Event, envelope: Envelope, topic: str) -> None:
        token = set_context(
            RequestContext(
                actor=f"event:{envelope.producer}",
                credential=None,
                correlation_id=envelope.correlation_id,
                causation_id=str(envelope.event_id),
            )
        )
        try:
            uow = self.uow_factory()
            async with uow:
                if not await self._claim(uow, envelope, topic):
                    return  # already applied: a redelivery has no second effect
                await handler(event, envelope, uow)
                await uow.commit()
                _consumed.add(1, {"group": self.group, "event_type": envelope.event_type})
        finally:
            reset_context(token)

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: BaseException) -> None:
        assert self._dlq_producer is not None
        headers = list(record.headers or ())
        headers += [
            ("dlq.error", repr(error)[:2000].encode()),
            ("dlq.consumer", self.group.encode()),
            ("dlq.original_topic", record.topic.encode()),
            ("dlq.original_partition", str(record.partition).encode()),
            ("dlq.original_offset", str(record.offset).encode()),
        ]
        await self._dlq_producer.send_and_wait(
            dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        _dead.add(1, {"group": self.group})
        self.dead_lettered += 1
        log.error("consumer %s: dead-lettered %s@%d/%d: %r", self.group, record.topic, record.partition,
                  record.offset, error)


async def wait_assigned(consumers: list[IdempotentConsumer], timeout: float = 30.0) -> None:
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in consumers)), timeout)


__all__ = ["Handler", "IdempotentConsumer", "PoisonMessage", "TopicPartition", "wait_assigned"]
