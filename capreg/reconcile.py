"""`reconcile_ledger`: re-derive every registry balance from the journal and report any difference.

Read-only, on one consistent snapshot of the registry database. Wired into the `capreg` CLI by the
launcher; usable on its own: `python -c "import asyncio, capreg.reconcile as r;
asyncio.run(r.reconcile_ledger('postgresql+asyncpg://...'))"`.
"""

from __future__ import annotations

from services.registry.application.reconcile import reconcile
from shared.db.engine import make_engine, make_session_factory


async def reconcile_ledger(database_url: str) -> int:
    """Print the reconciliation report of the registry at `database_url`; 0 if consistent, else 1."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            report = await reconcile(session)
            await session.rollback()
    finally:
        await engine.dispose()
    print(report.render(), flush=True)
    return 0 if report.consistent else 1
