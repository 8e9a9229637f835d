"""`capreg outbox replay SERVICE --since T`: queue a service's events again from its outbox.

The database is the source of truth: consumers de-duplicate by event id, so replaying is always
safe; it is how a linked system or a rebuilt consumer catches up after losing the bus.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from capreg.services import BY_NAME
from shared.db.engine import make_engine, new_metadata
from shared.db.tables import add_infrastructure_tables


async def replay_outbox(service: str, since: str) -> int:
    instant = datetime.fromisoformat(since)
    if instant.tzinfo is None:
        print("capreg: --since needs a timezone, e.g. 2026-11-23T00:00:00+00:00")
        return 2
    settings = BY_NAME[service].settings_class()()
    outbox = add_infrastructure_tables(new_metadata()).outbox
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(
                update(outbox)
                .where(outbox.c.created_at >= instant)
                .values(published_at=None, confirmed_at=None, partition=None, offset=None)
            )
    finally:
        await engine.dispose()
    print(f"{service}: {result.rowcount} events queued again for publication")
    return 0
