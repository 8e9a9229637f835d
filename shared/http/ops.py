"""Bus health for operators: outbox backlog, unconfirmed events, inbox activity, consumer state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select

from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal
from shared.errors import Forbidden

router = APIRouter(prefix="/ops", tags=["operations"])


@router.get("/bus")
async def bus_health(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Staff and machine clients only: no business data, only counts and ages."""
    if not (principal.is_staff() or principal.is_machine):
        raise Forbidden("bus health is for jurisdiction staff and operations tooling")
    runtime = request.app.state.runtime
    outbox, inbox = runtime.tables.outbox, runtime.tables.inbox
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        pending, oldest = (
            await uow.session.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
            )
        ).one()
        unconfirmed = (
            await uow.session.execute(
                select(func.count()).where(outbox.c.published_at.is_not(None), outbox.c.confirmed_at.is_(None))
            )
        ).scalar_one()
        recent = (
            await uow.session.execute(
                select(func.count()).where(inbox.c.processed_at >= now - timedelta(minutes=5))
            )
        ).scalar_one()
    return {
        "service": runtime.name,
        "outbox": {
            "pending": pending,
            "oldest_pending_age_seconds": (now - oldest).total_seconds() if oldest else 0.0,
            "published_unconfirmed": unconfirmed,
        },
        "inbox": {"processed_last_5_minutes": recent},
        "consumers": [
            {"group": c.group, "topics": c.topics, "assigned": c.ready.is_set()} for c in runtime.consumers
        ],
    }
