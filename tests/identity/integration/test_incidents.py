"""Credential compromise: every representative of an entity reset and revoked at once.

Identity learns the representatives from registry.AccountChanged on the real broker.
"""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from services.identity.adapters.orm import incidents, infrastructure
from shared.contracts.registry import AccountChanged, Representative
from shared.contracts.topics import Topic
from shared.messaging.envelope import Envelope
from shared.testing.server import eventually


async def _publish_account(infra, drv, entity_id: str, reps: list[tuple[str, str]]) -> None:
    """What the registry publishes when an account or its representatives change (§95832)."""
    event = AccountChanged(account_number=f"CA-{uuid.uuid4().hex[:6]}-H", account_type="holding",
                           owner_kind="entity", entity_id=entity_id, jurisdiction="CA", status="open",
                           representatives=[Representative(individual_id=i, role=r) for i, r in reps])
    envelope = Envelope(event_type=event.EVENT_TYPE, occurred_at=drv.clock.now(), producer="registry",
                        aggregate_id=event.aggregate_id(), payload=event.model_dump(mode="json"))
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(str(Topic.REGISTRY_ACCOUNTS), envelope.to_bytes(),
                                     key=envelope.aggregate_id.encode(), headers=envelope.headers())
    finally:
        await producer.stop()


async def test_a_compromise_resets_and_revokes_every_representative_of_the_entity_at_once(infra, identity_service):
    async with identity_service() as drv:
        registrar = await drv.staff(["registrar:CA"])
        primary, alternate, viewer, outsider = [await drv.active_individual(registrar) for _ in range(4)]
        signed_in = {p["individual_id"]: await drv.sign_in(p["email"], p["secret"])
                     for p in (primary, alternate, viewer, outsider)}
        entity = f"ent_{uuid.uuid4().hex[:8]}"
        await _publish_account(infra, drv, entity, [(primary["individual_id"], "primary"),
                                                    (alternate["individual_id"], "alternate"),
                                                    (viewer["individual_id"], "viewing_agent")])

        async def learnt() -> bool:
            async with drv.svc.uow_factory() as uow:
                return len(await uow.representatives.of_entity(entity)) == 3

        await eventually(learnt, timeout=20)
        report = {"entity_id": entity, "description": "phishing e-mail; passwords may be known"}
        async with drv.http(signed_in[alternate["individual_id"]]["access_token"]) as client:
            assert (await client.post("/v1/incidents", json=report)).status_code == 403  # not the primary
        async with drv.http(signed_in[primary["individual_id"]]["access_token"]) as client:
            r = await client.post("/v1/incidents", json=report)
        assert r.status_code == 201, r.text
        affected = sorted(p["individual_id"] for p in (primary, alternate, viewer))
        assert r.json()["individual_ids"] == affected

        for person in (primary, alternate, viewer):
            async with drv.http(signed_in[person["individual_id"]]["access_token"]) as client:
                assert (await client.get("/v1/me")).status_code == 401
            refused = await drv.sign_in(person["email"], person["secret"], expect=403)
            assert refused["error"]["code"] == "credential_reset_required"
        async with drv.http(signed_in[outsider["individual_id"]]["access_token"]) as client:
            assert (await client.get("/v1/me")).status_code == 200  # not a representative of this entity

        outbox = infrastructure.outbox
        async with drv.running.runtime.uow() as uow:
            payloads = [row["payload"] for row in (await uow.session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == "identity.CredentialsRevoked"))).scalars()]
            recorded = (await uow.session.execute(select(incidents))).mappings().all()
            audited = (await uow.session.execute(select(infrastructure.audit_log.c.action))).scalars().all()
        event = next(p for p in payloads if p.get("incident_id") == r.json()["incident_id"])
        assert sorted(event["individual_ids"]) == affected and event["reason"] == "credential_compromise"
        assert [row["entity_id"] for row in recorded] == [entity]
        assert "incident.recorded" in audited
        async with drv.http(registrar["access_token"]) as client:
            assert [i["id"] for i in (await client.get("/v1/incidents")).json()] == [r.json()["incident_id"]]

        # the way back: a registrar's ticket, a new password and a new TOTP secret
        async with drv.http(registrar["access_token"]) as client:
            r = await client.post(f"/v1/individuals/{alternate['individual_id']}/credential-reset-tickets")
        assert r.status_code == 201, r.text
        ticket = r.json()["ticket"]
        new_password = "a brand new passphrase 42"
        async with drv.http() as client:
            r = await client.post("/v1/credential-resets", json={"email": alternate["email"], "ticket": ticket,
                                                                 "new_password": new_password})
            secret = r.json()["totp_secret"]
            r = await client.post("/v1/credential-resets/confirmation", json={
                "email": alternate["email"], "ticket": ticket, "totp": drv.code(secret)})
            assert r.status_code == 200, r.text
            r = await client.post("/v1/credential-resets/confirmation", json={
                "email": alternate["email"], "ticket": ticket, "totp": drv.code(secret)})
            assert r.status_code == 401  # a ticket works once
        await drv.sign_in(alternate["email"], alternate["secret"], expect=401)  # the old credential is gone
        await drv.sign_in(alternate["email"], secret, password=new_password)
