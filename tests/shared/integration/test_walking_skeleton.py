"""An event produced by identity is consumed by registry: real HTTP, real broker, real databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from shared.testing.server import eventually


async def _registered(identity_url: str) -> str:
    async with httpx.AsyncClient(base_url=identity_url) as client:
        today = datetime.now(UTC).date()
        r = await client.post(
            "/v1/registrations",
            json={"legal_name": "Ada Lovelace", "email": f"ada-{uuid.uuid4().hex[:6]}@example.org",
                  "jurisdiction": "CA", "phone": "+1 415 555 0100", "date_of_birth": "1985-12-10",
                  "residence": {"line1": "1 Market St", "city": "San Francisco", "region": "CA",
                                "postal_code": "94105", "country": "US"},
                  "government_id": {"type": "passport", "number": uuid.uuid4().hex[:9],
                                    "issuer": "U.S. Department of State",
                                    "expires_on": str(today + timedelta(days=900))},
                  "bank_account": {"bank_name": "First Bank", "statement_date": str(today - timedelta(days=10))},
                  "attestation": {"felony_conviction_within_last_5_years": False, "information_is_true": True},
                  "password": "correct horse battery staple"},
        )
    assert r.status_code == 201, r.text
    return str(r.json()["individual_id"])


async def test_registration_in_identity_becomes_known_to_registry(service_factory, issuer):
    test_issuer, _ = issuer
    staff = test_issuer.mint("staff-1", roles=["registrar:CA"])
    async with service_factory("identity") as identity, service_factory("registry") as registry:
        individual_id = await _registered(identity.url)

        async def known():
            async with registry.client(staff) as client:
                r = await client.get(f"/v1/individuals/{individual_id}")
            return r.json() if r.status_code == 200 else None

        body = await eventually(known, timeout=30)
        assert body["legal_name"] == "Ada Lovelace"
        assert body["kyc_status"] == "registered"


async def test_registry_refuses_an_unauthenticated_or_unprivileged_caller(service_factory, issuer):
    test_issuer, _ = issuer
    async with service_factory("registry", run_background=False) as registry:
        async with registry.client() as anonymous:
            r = await anonymous.get("/v1/individuals/ind_x")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthenticated"
        async with registry.client(test_issuer.mint("someone", roles=["individual"])) as client:
            r = await client.get("/v1/individuals/ind_x")
        assert r.status_code == 403
        async with registry.client(test_issuer.mint("s", roles=["registrar:CA"], audience="other")) as client:
            r = await client.get("/v1/individuals/ind_x")
        assert r.status_code == 401


async def test_bad_input_is_a_clear_422_never_a_500(service_factory):
    async with service_factory("identity", run_background=False) as identity:
        async with identity.client() as client:
            r = await client.post("/v1/registrations", json={"legal_name": "A", "email": "nope"})
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "invalid_input"
    fields = {p["field"] for p in body["details"]["problems"]}
    assert {"legal_name", "email", "jurisdiction"} <= fields


async def test_operators_see_bus_health_and_individuals_do_not(service_factory, issuer):
    test_issuer, _ = issuer
    async with service_factory("registry") as registry:
        async with registry.client(test_issuer.mint("ops", roles=["market_monitor:CA"])) as client:
            r = await client.get("/ops/bus")
        assert r.status_code == 200
        body = r.json()
        assert body["service"] == "registry"
        assert body["outbox"]["pending"] >= 0
        async with registry.client(test_issuer.mint("ind_1", roles=["individual"])) as client:
            assert (await client.get("/ops/bus")).status_code == 403
