"""Outbox backlog figures, read by `GET /ops/bus` and sampled for the metrics (shared/runtime.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


@dataclass(frozen=True)
class OutboxStats:
    pending: int = 0  # committed, not yet published
    oldest_pending_age_seconds: float = 0.0
    published_unconfirmed: int = 0  # published, not yet past every subscribing group


async def outbox_stats(db: AsyncSession | AsyncConnection, outbox: Table, now: datetime) -> OutboxStats:
    pending, oldest = (
        await db.execute(select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None)))
    ).one()
    unconfirmed = (
        await db.execute(
            select(func.count()).where(outbox.c.published_at.is_not(None), outbox.c.confirmed_at.is_(None))
        )
    ).scalar_one()
    age = (now - oldest).total_seconds() if oldest else 0.0
    return OutboxStats(pending=int(pending), oldest_pending_age_seconds=max(age, 0.0),
                       published_unconfirmed=int(unconfirmed))
