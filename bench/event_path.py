"""Benchmark of the event path between two services: outbox -> relay -> broker -> consumer -> inbox.

identity writes IndividualRegistered events into its outbox (in the caller's transaction);
registry consumes them (inbox row + its effect + an audit record, one transaction each).
Prints (1) throughput: events per second for a burst of N events, from the first outbox write to
the last inbox commit; (2) end-to-end latency percentiles (outbox write -> inbox commit) at a fixed
offered rate; (3) peak RSS of this process (both services run in it).

    python bench/event_path.py            # N=5000, 200 events/s for 10 s
    python bench/event_path.py --quick    # N=1000, 100 events/s for 5 s
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.identity.entrypoints.http.app import create_app as identity_app
from services.registry.entrypoints.http.app import create_app as registry_app
from shared.contracts.identity import IndividualRegistered
from shared.testing.fixtures import migrated_database, service_settings
from shared.testing.infra import test_infrastructure
from shared.testing.server import RunningService, serve


async def _write(identity: RunningService, tag: str, count: int, per_tx: int = 1) -> None:
    written = 0
    while written < count:
        async with identity.runtime.uow() as uow:
            for _ in range(min(per_tx, count - written)):
                await uow.publish(
                    IndividualRegistered(
                        individual_id=f"ind_{tag}_{written}", legal_name="Bench Person", email=f"{written}@b.org",
                        jurisdiction="CA", registered_at=datetime.now(UTC),
                    )
                )
                written += 1
            await uow.commit()


async def _inbox_count(registry: RunningService) -> int:
    inbox = registry.runtime.tables.inbox
    async with registry.runtime.uow() as uow:
        return int((await uow.session.execute(select(func.count()).select_from(inbox))).scalar_one())


async def _wait_for(registry: RunningService, total: int, timeout: float = 600) -> float:
    start = time.perf_counter()
    while await _inbox_count(registry) < total:
        if time.perf_counter() - start > timeout:
            raise TimeoutError("events did not arrive")
        await asyncio.sleep(0.02)
    return time.perf_counter()


async def _latencies(identity: RunningService, registry: RunningService, tag: str) -> list[float]:
    outbox, inbox = identity.runtime.tables.outbox, registry.runtime.tables.inbox
    async with identity.runtime.uow() as uow:
        written = dict(
            (await uow.session.execute(
                select(outbox.c.event_id, outbox.c.created_at).where(outbox.c.message_key.like(f"ind_{tag}_%"))
            )).all()
        )
    async with registry.runtime.uow() as uow:
        done = dict((await uow.session.execute(select(inbox.c.event_id, inbox.c.processed_at))).all())
    return sorted((done[e] - t).total_seconds() * 1000 for e, t in written.items() if e in done)


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def main(n: int, rate: int, seconds: int) -> None:
    with test_infrastructure() as infra:
        urls = {s: await migrated_database(infra, s, "bench") for s in ("identity", "registry")}
        settings = {s: service_settings(s, infra, urls[s], "http://127.0.0.1:9", log_level="ERROR") for s in urls}
        async with serve(identity_app(settings["identity"])) as identity, serve(
            registry_app(settings["registry"])
        ) as registry:
            await asyncio.sleep(4)  # consumer group join
            base = await _inbox_count(registry)

            tag = uuid.uuid4().hex[:6]
            t0 = time.perf_counter()
            await _write(identity, tag, n, per_tx=50)
            t_written = time.perf_counter()
            t_done = await _wait_for(registry, base + n)
            throughput = n / (t_done - t0)
            print(f"burst: {n} events written in {t_written - t0:.2f}s (50 per transaction); "
                  f"all consumed after {t_done - t0:.2f}s -> {throughput:,.0f} events/s end to end")

            tag2 = uuid.uuid4().hex[:6]
            total = rate * seconds
            interval = 1.0 / rate
            start = time.perf_counter()
            for i in range(total):
                await _write(identity, f"{tag2}x{i}", 1)
                delay = start + (i + 1) * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            offered = total / (time.perf_counter() - start)
            await _wait_for(registry, base + n + total)
            lat = await _latencies(identity, registry, f"{tag2}x")
            print(f"latency at {offered:,.0f} events/s offered ({len(lat)} events, one per transaction): "
                  f"p50 {_pct(lat, 50):.1f} ms, p90 {_pct(lat, 90):.1f} ms, p99 {_pct(lat, 99):.1f} ms, "
                  f"max {lat[-1]:.1f} ms, mean {statistics.fmean(lat):.1f} ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process (both services in it): {rss:,.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        asyncio.run(main(1000, 100, 5))
    else:
        asyncio.run(main(5000, 200, 10))
    sys.exit(0)
