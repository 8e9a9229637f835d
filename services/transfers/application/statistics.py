"""The operations dashboard's view of the transfer workflow (read-only, per jurisdiction).

Who: jurisdiction staff who may read transfers (`queries.STAFF_ROLES`: Executive Officer, accounts
administrator, registrar, market monitor) see the figures of their own jurisdictions only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.transfers.adapters.statistics_repository import AGE_BUCKETS, SqlAlchemyStatisticsRepository
from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Actor
from services.transfers.application.queries import STAFF_ROLES
from services.transfers.domain.errors import Forbidden
from services.transfers.domain.model import OPEN, Status

DEADLINE_KINDS = ("confirmation", "acceptance", "deficiency_correction", "documentation", "clearing_exit",
                  "clearing_failure_notice")
HORIZON = timedelta(hours=24)
UPCOMING_LIMIT = 100


def staff_jurisdictions(actor: Actor) -> set[str]:
    return {r.split(":", 1)[1] for r in actor.roles if ":" in r and r.split(":", 1)[0] in STAFF_ROLES}


async def statistics(*, actor: Actor, uow: TransfersUnitOfWork, now: datetime,
                     jurisdiction: str | None = None) -> dict[str, Any]:
    allowed = staff_jurisdictions(actor)
    if jurisdiction is not None:
        allowed &= {jurisdiction}
    if not allowed:
        raise Forbidden("transfer statistics are for the staff of the jurisdiction")
    async with uow:
        repo = SqlAlchemyStatisticsRepository(uow.session)
        rows = await repo.by_state_and_age(allowed, now)
        due, upcoming = await repo.deadlines_between(allowed, now, now + HORIZON, limit=UPCOMING_LIMIT)
    by_state: dict[str, dict[str, int]] = {s.value: dict.fromkeys(AGE_BUCKETS, 0) for s in Status}
    for status, bucket, count in rows:
        by_state.setdefault(status, dict.fromkeys(AGE_BUCKETS, 0))[bucket] = count
    return {
        "as_of": now,
        "jurisdictions": sorted(allowed),
        "age_buckets": list(AGE_BUCKETS),
        "open_states": sorted(s.value for s in OPEN),
        "by_state_and_age": by_state,
        "totals_by_state": {s: sum(b.values()) for s, b in by_state.items()},
        "deadlines_next_24h": {
            "from": now, "until": now + HORIZON,
            "counts": {k: due.get(k, 0) for k in DEADLINE_KINDS},
            "upcoming": upcoming,
        },
    }
