"""Shared token verification: JWKS over HTTP, key rotation, forgery, audience, revocation on the bus."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from joserfc import jwt
from joserfc.jwk import RSAKey

from shared.auth.verify import JwksClient, TokenVerifier
from shared.clock import ManualClock
from shared.contracts.identity import CredentialsRevoked
from shared.errors import Unauthenticated
from shared.testing.server import eventually, serve
from shared.testing.tokens import TestIssuer


async def _rejected(verifier: TokenVerifier, token: str) -> str:
    try:
        await verifier.verify(token)
    except Unauthenticated as exc:
        return exc.message
    raise AssertionError("token was accepted")


async def test_verifier_follows_key_rotation_and_rejects_forgeries():
    issuer = TestIssuer(issuer="http://rotating")
    async with serve(issuer.app()) as jwks_server:
        verifier = TokenVerifier(
            JwksClient(jwks_server.url + "/.well-known/jwks.json", min_refresh_seconds=0),
            issuer="http://rotating", audience="capreg",
        )
        old = issuer.mint("ind_1", roles=["registrar:CA"])
        assert (await verifier.verify(old)).has_role("registrar", "CA")

        issuer.rotate()  # new key published and used; the old one still in the JWKS
        new = issuer.mint("ind_1")
        assert (await verifier.verify(new)).subject == "ind_1"
        assert (await verifier.verify(old)).subject == "ind_1"

        issuer.retire_old_keys()
        verifier.jwks._fetched_at = 0  # next unknown-kid or stale lookup refetches
        verifier.jwks.ttl = 0
        assert "signature" in await _rejected(verifier, old)

        forger = RSAKey.generate_key(2048, parameters={"kid": issuer.keys[0].kid})
        claims = {"iss": "http://rotating", "aud": "capreg", "sub": "ind_evil", "exp": int(time.time()) + 60}
        forged = jwt.encode({"alg": "RS256", "kid": issuer.keys[0].kid}, claims, forger)
        assert "signature" in await _rejected(verifier, forged)

        assert "rejected" in await _rejected(verifier, issuer.mint("ind_1", audience="someone-else"))
        assert "rejected" in await _rejected(verifier, issuer.mint("ind_1", ttl=-60))
        assert "malformed" in await _rejected(verifier, "not-a-token")


async def test_expiry_is_judged_by_the_service_clock_so_dev_clock_offsets_apply():
    issuer = TestIssuer(issuer="http://clocked")
    async with serve(issuer.app()) as jwks_server:
        clock = ManualClock(datetime.now(UTC) + timedelta(days=40))  # e.g. the dev stack's clock moved forward
        verifier = TokenVerifier(JwksClient(jwks_server.url + "/.well-known/jwks.json"),
                                 issuer="http://clocked", audience="capreg", clock=clock)
        # identity runs on the same moved clock: its tokens are issued "in the future" of the system clock
        token = issuer.mint("ind_1", ttl=300, issued_at=clock.now().timestamp())
        assert (await verifier.verify(token)).subject == "ind_1"
        clock.advance(timedelta(minutes=10))
        assert "rejected" in await _rejected(verifier, token)  # expired by the service clock
        # a token issued before the clock moved stays valid for its lifetime
        assert (await verifier.verify(issuer.mint("ind_2", ttl=300))).subject == "ind_2"
        assert "rejected" in await _rejected(verifier, issuer.mint("ind_3", ttl=-60))  # expired by both


async def test_a_revocation_published_by_identity_is_honoured_by_registry_within_seconds(service_factory, issuer):
    test_issuer, _ = issuer
    staff = test_issuer.mint("ind_compromised", roles=["registrar:CA"], issued_at=time.time() - 5)
    async with service_factory("identity") as identity, service_factory("registry") as registry:
        async with registry.client(staff) as client:
            assert (await client.get("/v1/individuals/ind_nobody")).status_code == 404

        revoked_at = datetime.now(UTC)
        async with identity.runtime.uow() as uow:
            await uow.publish(
                CredentialsRevoked(individual_ids=["ind_compromised"], revoked_before=revoked_at, reason="test")
            )
            await uow.commit()
        started = time.monotonic()

        async def refused() -> bool:
            async with registry.client(staff) as client:
                return (await client.get("/v1/individuals/ind_nobody")).status_code == 401

        await eventually(refused, timeout=5)
        assert time.monotonic() - started < 5
        # a token issued after the revocation (a fresh login) works
        fresh = test_issuer.mint("ind_compromised", roles=["registrar:CA"], issued_at=time.time() + 2)
        async with registry.client(fresh) as client:
            assert (await client.get("/v1/individuals/ind_nobody")).status_code == 404
