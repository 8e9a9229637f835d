"""The three fault tests: broker restart, redelivery, poison message. Real broker, real databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from shared.contracts.identity import IndividualRegistered
from shared.contracts.topics import Topic, dead_letter_topic
from shared.messaging.envelope import Envelope
from shared.testing.server import RunningService, eventually


async def _emit(identity: RunningService, count: int, tag: str) -> list[str]:
    """Write IndividualRegistered events through identity's transactional outbox."""
    ids = []
    for i in range(count):
        individual_id = f"ind_{tag}_{i}"
        async with identity.runtime.uow() as uow:
            await uow.publish(
                IndividualRegistered(
                    individual_id=individual_id, legal_name=f"Person {tag} {i}",
                    email=f"{tag}{i}@example.org", jurisdiction="QC", registered_at=datetime.now(UTC),
                )
            )
            await uow.commit()
        ids.append(individual_id)
    return ids


async def _learned(registry: RunningService, prefix: str) -> dict[str, int]:
    """How many times registry applied an IndividualRegistered per individual (from its audit trail)."""
    audit = registry.runtime.tables.audit_log
    async with registry.runtime.uow() as uow:
        rows = (
            await uow.session.execute(
                select(audit.c.subject, func.count())
                .where(audit.c.action == "individual.learned", audit.c.subject.like(f"ind_{prefix}_%"))
                .group_by(audit.c.subject)
            )
        ).all()
    return {subject: n for subject, n in rows}


async def test_restarting_the_broker_mid_stream_loses_no_event(service_factory, infra):
    tag = uuid.uuid4().hex[:6]
    async with service_factory("identity") as identity, service_factory("registry") as registry:
        first = await _emit(identity, 40, tag)
        await eventually(lambda: _all_learned(registry, tag, 20), timeout=30)
        # stop the broker mid-stream: the relay keeps retrying; writes continue into the outbox
        infra.broker.stop()
        during = await _emit(identity, 30, tag + "d")
        await asyncio.sleep(1.0)
        infra.broker.start()  # a new, empty cluster on the same port
        after = await _emit(identity, 30, tag + "a")

        for prefix, ids in ((tag, first), (tag + "d", during), (tag + "a", after)):
            learned = await eventually(lambda p=prefix, n=len(ids): _all_learned(registry, p, n), timeout=60)
            assert set(learned) == set(ids)
            assert set(learned.values()) == {1}, "an event was applied twice"


async def _all_learned(registry: RunningService, prefix: str, expected: int) -> dict[str, int] | None:
    learned = await _learned(registry, prefix)
    return learned if len(learned) >= expected else None


def _envelope(individual_id: str) -> Envelope:
    event = IndividualRegistered(
        individual_id=individual_id, legal_name="Twice Sent", email="twice@example.org",
        jurisdiction="CA", registered_at=datetime.now(UTC),
    )
    return Envelope(
        event_type=event.EVENT_TYPE, occurred_at=datetime.now(UTC), producer="identity",
        aggregate_id=individual_id, payload=event.model_dump(mode="json"),
    )


async def test_a_redelivered_event_has_no_second_effect(service_factory, infra):
    tag = uuid.uuid4().hex[:6]
    async with service_factory("registry") as registry:
        envelope = _envelope(f"ind_{tag}_0")
        producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, acks="all")
        await producer.start()
        try:
            for _ in range(3):
                await producer.send_and_wait(
                    Topic.IDENTITY_INDIVIDUALS, envelope.to_bytes(), key=envelope.aggregate_id.encode(),
                    headers=envelope.headers(),
                )
            marker = _envelope(f"ind_{tag}_1")  # sent after the duplicates, same key: processed after them
            await producer.send_and_wait(
                Topic.IDENTITY_INDIVIDUALS, marker.to_bytes(), key=envelope.aggregate_id.encode(),
                headers=marker.headers(),
            )
        finally:
            await producer.stop()
        learned = await eventually(lambda: _all_learned(registry, tag, 2), timeout=30)
        assert learned == {f"ind_{tag}_0": 1, f"ind_{tag}_1": 1}


async def test_a_malformed_event_goes_to_the_dead_letter_topic_and_the_consumer_goes_on(service_factory, infra,
                                                                                       issuer):
    tag = uuid.uuid4().hex[:6]
    dlq = AIOKafkaConsumer(
        dead_letter_topic(Topic.IDENTITY_INDIVIDUALS), bootstrap_servers=infra.bootstrap,
        auto_offset_reset="earliest", group_id=f"dlq-reader-{tag}", session_timeout_ms=3000,
    )
    async with service_factory("registry") as registry:
        producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, acks="all")
        await producer.start()
        key = f"poison-{tag}".encode()
        bad_payload = _envelope("x").model_dump(mode="json") | {"payload": {"individual_id": 42}}
        try:
            await producer.send_and_wait(
                Topic.IDENTITY_INDIVIDUALS, b"{not json", key=key, headers=[("origin", tag.encode())]
            )
            await producer.send_and_wait(
                Topic.IDENTITY_INDIVIDUALS, json.dumps(bad_payload).encode(), key=key,
                headers=[("origin", tag.encode())],
            )
            good = _envelope(f"ind_{tag}_0")
            await producer.send_and_wait(
                Topic.IDENTITY_INDIVIDUALS, good.to_bytes(), key=key, headers=good.headers()
            )
        finally:
            await producer.stop()
        assert await eventually(lambda: _all_learned(registry, tag, 1), timeout=30)
        async with registry.client(issuer[0].mint("client:ops", roles=["machine"])) as client:
            bus = (await client.get("/ops/bus")).json()  # operators see the dead letters and the lag
        [consumer] = [c for c in bus["consumers"] if Topic.IDENTITY_INDIVIDUALS in c["topics"]]
        assert consumer["dead_lettered"] == 2 and bus["dead_lettered_since_start"] >= 2
        assert bus["consumer_lag_total"] >= 0 and all(v >= 0 for v in consumer["lag"].values())

        await dlq.start()
        try:
            dead = []

            async def both_dead_lettered() -> bool:
                batch = await dlq.getmany(timeout_ms=500)
                for records in batch.values():
                    dead.extend(r for r in records if dict(r.headers).get("origin") == tag.encode())
                return len(dead) >= 2

            await eventually(both_dead_lettered, timeout=30)
        finally:
            await dlq.stop()
        assert dead[0].value == b"{not json"
        headers = dict(dead[1].headers)
        assert headers["origin"] == tag.encode(), "original headers are kept"
        assert b"payload does not match" in headers["dlq.error"]
        assert headers["dlq.original_topic"] == Topic.IDENTITY_INDIVIDUALS.encode()
