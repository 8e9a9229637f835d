"""Benchmark of the identity service's tokens: issuance over HTTP and verification by another service.

(1) client-credentials issuance: POST /oauth/token (authlib core in a worker thread, one transaction
    with an audit record per token), C concurrent clients;
(2) refresh-token rotation: POST /oauth/token grant_type=refresh_token (find + rotate + re-sign);
(3) sign-in (mfa-login: argon2id with the production parameters + TOTP + a new session);
(4) verification as every other service does it: shared TokenVerifier, RS256 against the JWKS
    fetched over HTTP (cached), no network per token.
Prints per phase: count, rate per second, latency p50 and p99.

    python bench/identity_tokens.py            # 2000 issuances, 500 refreshes, 50 sign-ins, 20000 verifications
    python bench/identity_tokens.py --quick
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pyotp

from services.identity.application.clients import register_machine_client
from services.identity.entrypoints.http.app import create_app
from services.identity.seed import seed_staff
from shared.auth.principal import Principal
from shared.auth.verify import JwksClient, TokenVerifier
from shared.clock import ManualClock
from shared.testing.fixtures import migrated_database, service_settings
from shared.testing.infra import test_infrastructure
from shared.testing.server import serve

ISSUER = "http://identity.bench"


def _report(name: str, unit: str, latencies: list[float], elapsed: float) -> None:
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{name:<34} {len(latencies):>6} in {elapsed:6.2f} s  {len(latencies) / elapsed:9.1f} {unit}/s  "
          f"p50 {statistics.median(latencies) * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms")


async def _run(count: int, concurrency: int,
               call: Callable[[int, int], Awaitable[None]]) -> tuple[list[float], float]:
    """`count` calls by `concurrency` workers; call(worker, i)."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker(w: int) -> None:
        for i in queue:
            t = time.perf_counter()
            await call(w, i)
            latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return latencies, time.perf_counter() - start


async def main(issuances: int, refreshes: int, sign_ins: int, verifications: int, concurrency: int) -> None:
    with test_infrastructure() as infra:
        url = await migrated_database(infra, "identity", "bench")
        settings = service_settings("identity", infra, url, "http://unused", jwt_issuer=ISSUER, run_background=False,
                                    login_ip_limit=10**9, login_account_limit=10**9, log_level="ERROR")
        clock = ManualClock(datetime.now(UTC))
        app = create_app(settings, clock)
        async with serve(app) as running, httpx.AsyncClient(base_url=running.url, timeout=60,
                                                            limits=httpx.Limits(max_connections=64)) as http:
            svc = app.state.identity.svc
            officer = Principal(subject="stf_bench", roles=frozenset({"executive_officer:CA"}))
            client = await register_machine_client("bench-feed", "Bench feed", ["linkage:feed"], "CA", officer,
                                                   uow=svc.uow_factory(), svc=svc)
            auth = ("bench-feed", client["client_secret"])
            tokens: list[str] = []

            async def issue(_: int, __: int) -> None:
                r = await http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=auth)
                assert r.status_code == 200, r.text
                tokens.append(r.json()["access_token"])

            lat, elapsed = await _run(issuances, concurrency, issue)
            print(f"identity tokens benchmark ({sys.platform}, concurrency {concurrency})")
            _report("issue (client_credentials)", "issued", lat, elapsed)

            people = []
            for i in range(concurrency):
                person = await seed_staff(settings, email=f"bench{i}@ca.gov.example", legal_name="Bench Person",
                                          jurisdiction="CA", roles=["market_monitor:CA"],
                                          password="bench passphrase 2026", clock=clock)
                people.append(person)
            steps: dict[str, int] = {}

            def code(secret: str) -> str:
                current = int(clock.now().timestamp()) // 30
                step = steps.get(secret, current - 2) + 1
                if step > current + 1:
                    clock.advance(timedelta(seconds=30))
                steps[secret] = step
                return pyotp.TOTP(secret).at(step * 30)

            refresh_tokens: dict[int, str] = {}

            async def sign_in(w: int, _: int) -> None:
                person = people[w]
                assert person.totp_secret is not None
                r = await http.post("/v1/sessions", json={"email": person.email, "password": person.password,
                                                          "totp": code(person.totp_secret)})
                assert r.status_code == 200, r.text
                refresh_tokens[w] = r.json()["refresh_token"]

            lat, elapsed = await _run(max(sign_ins, concurrency), concurrency, sign_in)
            _report("sign-in (argon2id + TOTP + session)", "signed in", lat, elapsed)

            async def refresh(slot: int, _: int) -> None:
                r = await http.post("/v1/sessions/refresh", json={"refresh_token": refresh_tokens[slot]})
                assert r.status_code == 200, r.text
                refresh_tokens[slot] = r.json()["refresh_token"]

            lat, elapsed = await _run(refreshes, len(people), refresh)
            _report("refresh (rotation)", "issued", lat, elapsed)

            verifier = TokenVerifier(JwksClient(running.url + "/.well-known/jwks.json"), issuer=ISSUER,
                                     audience="capreg")
            await verifier.verify(tokens[0])  # fetch the JWKS once, as a service does

            async def verify(_: int, i: int) -> None:
                await verifier.verify(tokens[i % len(tokens)])

            lat, elapsed = await _run(verifications, 1, verify)
            _report("verify (shared verifier, RS256)", "verified", lat, elapsed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if args.quick:
        asyncio.run(main(300, 100, 16, 3000, args.concurrency))
    else:
        asyncio.run(main(2000, 500, 50, 20000, args.concurrency))
