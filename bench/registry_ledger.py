"""Benchmark of the registry ledger with a million serial blocks.

Seeds a fresh, migrated registry database (embedded PostgreSQL) with 1,000 entity holding accounts
and 1,000,000 serial blocks of 10 serials (interleaved across accounts, so none coalesce), with a
matching journal, then measures:

1. ledger moves per second through the real use case (application/ledger.execute_move: account
   locks, lowest-serial-first selection, block splitting and coalescing, journal, outbox events,
   audit record; one transaction each), each move taking one whole block and splitting the next;
   sequentially and with 4 concurrent writers;
2. balance-query latency (p50/p99): an account's balances derived from its blocks, and the
   holding-limit headroom of its entity;
3. the reconciliation of the whole ledger (journal replay against the blocks).

    python bench/registry_ledger.py             # 1,000,000 blocks, 1,000 + 1,000 moves, 1,000 queries
    python bench/registry_ledger.py --quick     # 100,000 blocks, fewer operations
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
from sqlalchemy import text

from services.registry.adapters.orm import infrastructure
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import ensure_jurisdiction_accounts
from services.registry.application.ledger import MoveCommand, execute_move
from services.registry.application.limits import headroom
from services.registry.application.policy import RegistryPolicy
from services.registry.application.reconcile import reconcile
from services.registry.domain.account_numbers import make_account_number
from services.registry.domain.ledger import Spec
from shared.clock import SystemClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import upgrade
from shared.infra.embedded import EmbeddedPostgres, asyncpg_dsn, ensure_database

ACCOUNTS = 1_000
BLOCK = 10
VINTAGE = 2026
SPEC = Spec("allowance", "CA", VINTAGE)
MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "registry" / "migrations"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _without_indexes(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and the exclusion constraint of `tables` for a bulk load; returns the DDL
    that rebuilds them exactly as the migration made them."""
    rebuild: list[str] = []
    for table in tables:
        for name, definition in await conn.fetch(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass "
            "AND contype = 'x'", table):
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname NOT LIKE 'pk_%'", table):
            await conn.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    return rebuild


async def seed(url: str, blocks: int) -> list[tuple[str, str]]:
    """Entities, holding accounts, `blocks` blocks and their issuance journal, by COPY (the blocks' and
    journal's indexes and exclusion constraint are rebuilt after the load, as a restore would)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        rebuild = await _without_indexes(conn, ["holding_blocks", "journal"])
        now = time.time()
        from datetime import UTC, datetime

        at = datetime.fromtimestamp(now, UTC)
        entities = [(f"ent_bench_{i:05d}", make_account_number("CA", 1_000 + i)) for i in range(ACCOUNTS)]
        await conn.copy_records_to_table(
            "entities",
            columns=["id", "legal_name", "entity_type", "jurisdiction", "taxpayer_id", "status", "details",
                     "applied_by", "applied_at", "status_changed_at", "transfer_restriction", "version"],
            records=[(e, f"Bench {e}", "covered", "CA", e, "approved", "{}", "bench", at, at, "none", 1)
                     for e, _ in entities],
        )
        await conn.copy_records_to_table(
            "accounts",
            columns=["number", "account_type", "owner_kind", "entity_id", "jurisdiction", "status", "opened_at",
                     "status_changed_at"],
            records=[(n, "holding", "entity", e, "CA", "open", at, at) for e, n in entities],
        )
        numbers = [n for _, n in entities]
        rows = [(numbers[i % ACCOUNTS], "allowance", "CA", VINTAGE, i * BLOCK + 1, i * BLOCK + BLOCK)
                for i in range(blocks)]
        await conn.copy_records_to_table(
            "holding_blocks", columns=["account_number", "instrument_type", "jurisdiction", "vintage",
                                       "first_serial", "last_serial"], records=rows)
        await conn.execute(
            "INSERT INTO ledger_moves (seq, move_id, kind, destination_account, quantity, reason, recorded_by,"
            " recorded_at) VALUES (1, 'mv_bench_seed', 'issuance', $1, $2, 'issuance', 'bench', $3)",
            numbers[0], blocks * BLOCK, at,
        )
        await conn.copy_records_to_table(
            "journal", columns=["move_seq", "instrument_type", "jurisdiction", "vintage", "first_serial",
                                "last_serial", "destination_account"],
            records=[(1, *row[1:], row[0]) for row in rows],
        )
        for ddl in rebuild:
            await conn.execute(ddl)
        await conn.executemany(
            "INSERT INTO counters (name, value) VALUES ($1, $2)",
            [("journal", 1), ("serial:CA", blocks * BLOCK), ("account", 1_000 + ACCOUNTS)],
        )
        await conn.execute("ANALYZE")
        return entities
    finally:
        await conn.close()


async def moves(factory, policy: RegistryPolicy, numbers: list[str], count: int,
                workers: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    rng = random.Random(42 + workers)

    async def worker(n: int) -> None:
        for _ in range(n):
            source, destination = rng.sample(numbers, 2)
            quantity = rng.randint(BLOCK + 1, 2 * BLOCK - 1)  # a whole block, and a split of the next
            t0 = time.perf_counter()
            async with factory() as uow:
                await execute_move(uow, policy, MoveCommand(
                    request_id=f"bench-{rng.getrandbits(64):x}", requested_by="bench", source_account=source,
                    destination_account=destination, spec=SPEC, quantity=quantity, reason="transfer",
                    check_holding_limit=True,
                ))
                await uow.commit()
            latencies.append((time.perf_counter() - t0) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker(count // workers) for _ in range(workers)))
    return time.perf_counter() - start, latencies


async def queries(factory, policy: RegistryPolicy, entities: list[tuple[str, str]],
                  count: int) -> dict[str, list[float]]:
    rng = random.Random(7)
    out: dict[str, list[float]] = {"balances": [], "headroom": []}
    for _ in range(count):
        entity_id, number = rng.choice(entities)
        t0 = time.perf_counter()
        async with factory() as uow:
            await uow.ledger.balances(number)
        out["balances"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        async with factory() as uow:
            await headroom(uow, policy, entity_id, VINTAGE)
        out["headroom"].append((time.perf_counter() - t0) * 1000)
    return out


async def main(blocks: int, move_count: int, query_count: int, run_reconcile: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="capreg-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pgdata")
        pg.start()
        try:
            url = pg.url("capreg_registry_bench")
            await ensure_database(pg.url("postgres"), "capreg_registry_bench", recreate=True)
            await asyncio.to_thread(upgrade, MIGRATIONS, url)
            t0 = time.perf_counter()
            entities = await seed(url, blocks)
            print(f"seeded {blocks:,} serial blocks in {ACCOUNTS:,} accounts in {time.perf_counter() - t0:.1f}s")

            engine = make_engine(url, pool_size=8)
            sessions = make_session_factory(engine)
            policy = RegistryPolicy()

            def factory() -> RegistryUnitOfWork:
                return RegistryUnitOfWork(sessions, infrastructure, producer="registry", clock=SystemClock())

            async with factory() as uow:
                await ensure_jurisdiction_accounts(uow)
                await uow.commit()
            numbers = [n for _, n in entities]
            await moves(factory, policy, numbers, 50, 1)  # warm up
            for workers in (1, 4):
                elapsed, lat = await moves(factory, policy, numbers, move_count, workers)
                print(f"moves, {workers} writer(s): {len(lat):,} in {elapsed:.1f}s -> "
                      f"{len(lat) / elapsed:,.0f} moves/s; "
                      f"latency p50 {_pct(lat, 50):.1f} ms, p99 {_pct(lat, 99):.1f} ms, "
                      f"mean {statistics.fmean(lat):.1f} ms")
            async with engine.connect() as conn:
                count = (await conn.execute(text("SELECT count(*) FROM holding_blocks"))).scalar_one()
            print(f"serial blocks now: {count:,}")
            lat_q = await queries(factory, policy, entities, query_count)
            for name, values in lat_q.items():
                print(f"{name} query ({len(values):,}, ~{blocks // ACCOUNTS:,} blocks per account): "
                      f"p50 {_pct(values, 50):.2f} ms, p99 {_pct(values, 99):.2f} ms")
            if run_reconcile:
                t0 = time.perf_counter()
                async with factory() as uow:
                    report = await reconcile(uow.session)
                print(f"reconciliation of {report.journal_entries:,} journal entries and {report.blocks:,} blocks: "
                      f"{'consistent' if report.consistent else 'INCONSISTENT'} in {time.perf_counter() - t0:.1f}s")
                if not report.consistent:
                    print("\n".join(report.problems[:10]))
            await engine.dispose()
        finally:
            pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 blocks and fewer operations")
    parser.add_argument("--no-reconcile", action="store_true")
    args = parser.parse_args()
    if args.quick:
        asyncio.run(main(100_000, 400, 400, not args.no_reconcile))
    else:
        asyncio.run(main(1_000_000, 1_000, 1_000, not args.no_reconcile))
    sys.exit(0)
