"""Bus health for operators: outbox backlog, unconfirmed events, inbox activity, consumer lag, dead letters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select

from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal
from shared.errors import Forbidden
from shared.messaging.stats import outbox_stats

router = APIRouter(prefix="/ops", tags=["operations"])


@router.get("/bus")
async def bus_health(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Staff and machine clients only: no business data, only counts and ages.

    Consumer `lag` is per topic (records fetched-visible but not yet applied); `dead_lettered` counts
    what this process sent to `<topic>.dlq` since it started (the metric `capreg.consumer.dead_lettered`
    keeps the history).
    """
    if not (principal.is_staff() or principal.is_machine):
        raise Forbidden("bus health is for jurisdiction staff and operations tooling")
    runtime = request.app.state.runtime
    inbox = runtime.tables.inbox
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        stats = await outbox_stats(uow.session, runtime.tables.outbox, now)
        recent = (
            await uow.session.execute(
                select(func.count()).where(inbox.c.processed_at >= now - timedelta(minutes=5))
            )
        ).scalar_one()
    consumers = [
        {"group": c.group, "topics": c.topics, "assigned": c.ready.is_set(), "lag": dict(c.lag),
         "lag_total": sum(c.lag.values()), "dead_lettered": c.dead_lettered}
        for c in runtime.consumers
    ]
    return {
        "service": runtime.name,
        "outbox": {
            "pending": stats.pending,
            "oldest_pending_age_seconds": stats.oldest_pending_age_seconds,
            "published_unconfirmed": stats.published_unconfirmed,
        },
        "inbox": {"processed_last_5_minutes": recent},
        "consumers": consumers,
        "consumer_lag_total": sum(c["lag_total"] for c in consumers),
        "dead_lettered_since_start": sum(c["dead_lettered"] for c in consumers),
    }
