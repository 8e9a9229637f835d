"""Counts for the operations dashboard: transfer requests by state and age, deadlines coming due.

Read-only aggregate queries; every one is scoped to a set of jurisdictions (the transfer's
`jurisdiction`, i.e. the source entity's, whose Executive Officer decides).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.transfers.adapters.orm import (
    clearing_failures,
    clearing_receipts,
    deficiencies,
    documentation_requests,
    transfers,
)

AGE_BUCKETS = ("lt_1d", "1_2d", "2_3d", "gt_3d")
DAY = timedelta(days=1)


class SqlAlchemyStatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_state_and_age(self, jurisdictions: Collection[str], now: datetime) -> list[tuple[str, str, int]]:
        """(status, age bucket, count) of every request, aged from its submission."""
        age = now - transfers.c.submitted_at
        bucket = case(
            (age < DAY, literal("lt_1d")),
            (age < 2 * DAY, literal("1_2d")),
            (age < 3 * DAY, literal("2_3d")),
            else_=literal("gt_3d"),
        ).label("bucket")
        stmt = (
            select(transfers.c.status, bucket, func.count())
            .where(transfers.c.jurisdiction.in_(list(jurisdictions)))
            .group_by(transfers.c.status, bucket)
        )
        return [(r[0], r[1], int(r[2])) for r in (await self.session.execute(stmt)).all()]

    async def deadlines_between(self, jurisdictions: Collection[str], start: datetime, end: datetime,
                                *, limit: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """Deadlines falling in [start, end): counts per kind and the earliest `limit` of them."""
        in_scope = transfers.c.jurisdiction.in_(list(jurisdictions))

        def due(kind: str, table: Any, column: Any, *conditions: Any) -> Any:
            joined = transfers if table is transfers else table.join(transfers, transfers.c.id == table.c.transfer_id)
            return (
                select(literal(kind).label("kind"), column.label("due_at"), transfers.c.id.label("transfer_id"),
                       cast(table.c.id, String).label("ref"))
                .select_from(joined)
                .where(in_scope, column >= start, column < end, *conditions)
            )

        parts = [
            # §95921(a)(1)(B): the second representative's confirmation within two days
            due("confirmation", transfers, transfers.c.deadline_at,
                transfers.c.status.in_(["reserving", "proposed"])),
            # §95921(a)(1)(C): the destination's acceptance within three days of submission
            due("acceptance", transfers, transfers.c.deadline_at, transfers.c.status == "awaiting_acceptance"),
            # §95921(i)(1)(C), (i)(2)(D): an open deficiency's correction
            due("deficiency_correction", deficiencies, deficiencies.c.correct_by, deficiencies.c.status == "open"),
            # §95921(c), (h)(1): requested documentation
            due("documentation", documentation_requests, documentation_requests.c.due_at,
                documentation_requests.c.status == "open"),
            # §95921(d)(2): instruments must leave an exchange clearing holding account within five days
            due("clearing_exit", clearing_receipts, clearing_receipts.c.due_at, clearing_receipts.c.remaining > 0),
            # §95921(d)(4): the operator's notice of a failed clearing transfer within three days
            due("clearing_failure_notice", clearing_failures, clearing_failures.c.notice_due_at,
                clearing_failures.c.notice_filed_at.is_(None)),
        ]
        rows = (await self.session.execute(union_all(*parts).order_by("due_at"))).all()
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.kind] = counts.get(row.kind, 0) + 1
        upcoming = [{"kind": r.kind, "due_at": r.due_at, "transfer_id": r.transfer_id, "reference": r.ref}
                    for r in rows[:limit]]
        return counts, upcoming

