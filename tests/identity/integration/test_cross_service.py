"""Identity's tokens in another service: revocation within seconds, key rotation through the JWKS."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from shared.clock import ManualClock
from shared.testing.server import eventually

# the other services check exp/iat against real time: keep identity's clock a little behind it
LONG_TOKENS = {"access_token_ttl_seconds": 3600}


def _behind() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(minutes=2))


async def _registry_status(registry, token: str) -> int:
    async with registry.client(token) as client:
        return (await client.get("/v1/individuals/ind_nobody")).status_code


async def test_a_revocation_is_honoured_by_another_service_within_five_seconds(identity_service, service_factory):
    async with identity_service(clock=_behind(), **LONG_TOKENS) as drv, service_factory(
        "registry", identity_url=drv.url, jwt_issuer=drv.ISSUER
    ) as registry:
        staff = await drv.staff(["registrar:CA"])
        assert await _registry_status(registry, staff["access_token"]) == 404  # accepted: no such individual
        async with drv.http(staff["access_token"]) as client:
            assert (await client.delete("/v1/sessions/current")).status_code == 204
        started = time.monotonic()

        async def refused() -> bool:
            return await _registry_status(registry, staff["access_token"]) == 401

        await eventually(refused, timeout=5)
        assert time.monotonic() - started < 5
        fresh = await drv.sign_in(staff["email"], staff["secret"])  # a new sign-in is after the revocation
        assert await _registry_status(registry, fresh["access_token"]) == 404


async def test_tokens_stay_verifiable_by_another_service_across_a_key_rotation(identity_service, service_factory):
    async with identity_service(clock=_behind(), **LONG_TOKENS) as drv, service_factory(
        "registry", identity_url=drv.url, jwt_issuer=drv.ISSUER, run_background=False
    ) as registry:
        staff = await drv.staff(["registrar:CA"])
        old_token = staff["access_token"]
        assert await _registry_status(registry, old_token) == 404
        async with drv.http() as client:
            r = await client.post("/v1/ops/keys/rotation", json={"lead_seconds": 5},
                                  headers={"X-Bootstrap-Secret": "test-bootstrap-secret"})
            assert r.status_code == 201, r.text
            new_kid = r.json()["kid"]
            published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
        assert new_kid in published and len(published) == 2  # published before it signs
        not_yet = await drv.sign_in(staff["email"], staff["secret"])
        assert _kid(not_yet["access_token"]) != new_kid
        drv.clock.advance(timedelta(seconds=6))
        rotated = await drv.sign_in(staff["email"], staff["secret"])
        assert _kid(rotated["access_token"]) == new_kid

        async def verified() -> bool:  # the registry refetches its JWKS for an unknown kid (at most 1/s)
            return await _registry_status(registry, rotated["access_token"]) == 404

        await eventually(verified, timeout=5)
        async with drv.http(rotated["access_token"]) as client:
            assert (await client.get("/v1/me")).status_code == 200
        # the registry refetched the JWKS for the new kid: the old key is still in it, its tokens still verify
        # (this registry does not consume revocations: run_background=False)
        assert await _registry_status(registry, old_token) == 404

        # once every token of the old key has expired, the old key leaves the JWKS
        drv.clock.advance(timedelta(seconds=3600 + 130))
        async with drv.http() as client:
            published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
            keys = (await client.get("/v1/ops/keys", headers={"X-Bootstrap-Secret": "test-bootstrap-secret"})).json()
        assert published == {new_kid}
        assert {k["state"] for k in keys} == {"active", "retired"}


def _kid(token: str) -> str:
    import base64
    import json

    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])

