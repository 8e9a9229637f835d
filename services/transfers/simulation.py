"""A stand-in for the registry on the bus, for the transfers tests and benchmark.

It answers the ledger commands the transfers service sends (ReserveInstruments, ReleaseReservation,
ExecuteMove) for the accounts it was told about, and publishes AccountChanged / EntityChanged, all
as real envelopes on the real broker: the transfers service cannot tell it from the registry.
Never wired into the running service.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.clock import Clock
from shared.contracts.base import Event, event_class
from shared.contracts.registry import (
    ExecuteMove,
    InstrumentsReserved,
    MoveRecorded,
    MoveRefused,
    ReleaseReservation,
    ReservationRefused,
    ReservationReleased,
    ReserveInstruments,
    SerialRange,
)
from shared.contracts.topics import Topic
from shared.messaging.bus import ensure_topics
from shared.messaging.envelope import Envelope


class SimulatedRegistry:
    def __init__(self, bootstrap: str, clock: Clock) -> None:
        self.bootstrap = bootstrap
        self.clock = clock
        self.accounts: set[str] = set()  # only commands about these accounts are answered
        self.commands: list[Event] = []
        self.refuse_reservation: dict[str, tuple[str, str]] = {}  # source account -> (code, message)
        self.refuse_move: dict[str, tuple[str, str]] = {}  # destination account -> (code, message)
        self.silent: set[str] = set()  # source accounts whose reservations get no answer
        self._next_serial = 1_000_000
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Listen from the end of the command topic: only commands sent from now on are answered."""
        await ensure_topics(self.bootstrap)
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=1)
        await self._producer.start()
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10)
        await consumer.start()
        topic = str(Topic.REGISTRY_LEDGER_COMMANDS)
        await consumer.topics()
        partitions = consumer.partitions_for_topic(topic) or {0, 1, 2}
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(), name="simulated-registry")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for client in (self._consumer, self._producer):
            if client is not None:
                await client.stop()

    async def publish(self, event: Event) -> None:
        assert self._producer is not None
        envelope = Envelope(event_type=event.EVENT_TYPE, schema_version=event.SCHEMA_VERSION,
                            occurred_at=datetime.now(UTC), producer="registry", aggregate_id=event.aggregate_id(),
                            payload=event.model_dump(mode="json"))
        await self._producer.send_and_wait(event.TOPIC, envelope.to_bytes(), key=envelope.aggregate_id.encode(),
                                           headers=envelope.headers())

    def sent(self, kind: type[Event], **match: object) -> list[Event]:
        return [c for c in self.commands if isinstance(c, kind)
                and all(getattr(c, k) == v for k, v in match.items())]

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=50)
            for records in batch.values():
                for record in records:
                    envelope = Envelope.from_bytes(record.value)
                    contract = event_class(envelope.event_type, envelope.schema_version)
                    if contract is not None:
                        await self._answer(contract.model_validate(envelope.payload))

    async def _answer(self, command: Event) -> None:
        if isinstance(command, ReserveInstruments) and command.account_number in self.accounts:
            self.commands.append(command)
            await self._reserve(command)
        elif isinstance(command, ReleaseReservation) and command.request_id.startswith("tr_"):
            self.commands.append(command)
            await self.publish(ReservationReleased(request_id=command.request_id,
                                                   reservation_id=command.reservation_id, reason=command.reason))
        elif isinstance(command, ExecuteMove) and command.source_account in self.accounts:
            self.commands.append(command)
            refusal = self.refuse_move.get(command.destination_account)
            if refusal:
                await self.publish(MoveRefused(request_id=command.request_id, code=refusal[0], message=refusal[1]))
                return
            await self.publish(MoveRecorded(
                request_id=command.request_id, move_id=f"mv_{uuid.uuid4().hex[:12]}",
                source_account=command.source_account, destination_account=command.destination_account,
                quantity=command.quantity, serials=[], reason=command.reason, reference=command.reference,
                recorded_at=self.clock.now(),
            ))

    async def _reserve(self, command: ReserveInstruments) -> None:
        if command.account_number in self.silent:
            return
        refusal = self.refuse_reservation.get(command.account_number)
        if refusal:
            await self.publish(ReservationRefused(request_id=command.request_id, code=refusal[0], message=refusal[1]))
            return
        first = self._next_serial
        self._next_serial += command.quantity
        serial = SerialRange(instrument_type=command.instrument.instrument_type,
                             jurisdiction=command.instrument.jurisdiction, vintage=command.instrument.vintage,
                             first_serial=first, last_serial=first + command.quantity - 1)
        await self.publish(InstrumentsReserved(request_id=command.request_id, account_number=command.account_number,
                                               quantity=command.quantity, serials=[serial]))
