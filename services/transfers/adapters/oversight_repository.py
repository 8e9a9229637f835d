"""Deficiencies, documentation requests and documents, clearing-account duties and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.transfers.adapters.orm import (
    clearing_blocks,
    clearing_failures,
    clearing_receipts,
    deficiencies,
    documentation_requests,
    documents,
    notifications,
    transfers,
)
from services.transfers.domain.oversight import Deficiency

_DEFICIENCY_FIELDS = ("id", "transfer_id", "stage", "kind", "responsible", "problem", "fields", "found_by",
                      "found_at", "correct_by", "status", "resolved_by", "resolved_at", "resolution")


def _deficiency(m: Any) -> Deficiency:
    return Deficiency(**{k: m[k] for k in _DEFICIENCY_FIELDS})


class SqlAlchemyOversightRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- deficiencies (§95921(i)) ------------------------------------------------------------
    async def add_deficiency(self, d: Deficiency) -> None:
        await self.session.execute(deficiencies.insert().values(**{k: getattr(d, k) for k in _DEFICIENCY_FIELDS}))

    async def deficiency(self, deficiency_id: str, *, for_update: bool = False) -> Deficiency | None:
        stmt = select(deficiencies).where(deficiencies.c.id == deficiency_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return _deficiency(row._mapping) if row else None

    async def deficiencies_of(self, transfer_id: str, *, status: str | None = None) -> list[Deficiency]:
        stmt = select(deficiencies).where(deficiencies.c.transfer_id == transfer_id)
        if status:
            stmt = stmt.where(deficiencies.c.status == status)
        rows = (await self.session.execute(stmt.order_by(deficiencies.c.found_at))).all()
        return [_deficiency(r._mapping) for r in rows]

    async def lapsing_deficiencies(self, now: datetime) -> list[Deficiency]:
        """Deficiencies found after recording whose five business days have passed uncorrected."""
        stmt = select(deficiencies).where(
            deficiencies.c.stage == "after_recording", deficiencies.c.status == "open",
            deficiencies.c.correct_by <= now,
        ).with_for_update(skip_locked=True)
        return [_deficiency(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def save_deficiency(self, d: Deficiency) -> None:
        await self.session.execute(
            update(deficiencies).where(deficiencies.c.id == d.id).values(
                status=d.status, resolved_by=d.resolved_by, resolved_at=d.resolved_at, resolution=d.resolution)
        )

    # ---- documentation (§95921(c), (h)(1)) ------------------------------------------------------
    async def add_documentation_request(self, values: dict[str, Any]) -> None:
        await self.session.execute(documentation_requests.insert().values(**values))

    async def documentation_request(self, request_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        stmt = select(documentation_requests).where(documentation_requests.c.id == request_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return dict(row._mapping) if row else None

    async def search_documentation_requests(self, *, accounts_in: list[str], jurisdictions: set[str],
                                            status: str | None, transfer_id: str | None,
                                            limit: int) -> list[dict[str, Any]]:
        """Requests addressed to `accounts_in` or about transfers of `jurisdictions`, oldest due first, with
        the transfer's jurisdiction and how many documents were uploaded (never their content)."""
        scope = []
        if accounts_in:
            scope.append(documentation_requests.c.account_number.in_(accounts_in))
        if jurisdictions:
            scope.append(transfers.c.jurisdiction.in_(sorted(jurisdictions)))
        if not scope:
            return []
        uploaded = (select(func.count()).select_from(documents)
                    .where(documents.c.request_id == documentation_requests.c.id).scalar_subquery())
        stmt = (select(documentation_requests, transfers.c.jurisdiction, uploaded.label("documents"))
                .join(transfers, transfers.c.id == documentation_requests.c.transfer_id)
                .where(or_(*scope)))
        if status:
            stmt = stmt.where(documentation_requests.c.status == status)
        if transfer_id:
            stmt = stmt.where(documentation_requests.c.transfer_id == transfer_id)
        stmt = stmt.order_by(documentation_requests.c.due_at, documentation_requests.c.id).limit(limit)
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def set_documentation_status(self, request_id: str, **values: Any) -> None:
        await self.session.execute(
            update(documentation_requests).where(documentation_requests.c.id == request_id).values(**values))

    async def add_document(self, values: dict[str, Any]) -> None:
        await self.session.execute(documents.insert().values(**values))

    async def documents_of(self, request_id: str) -> list[dict[str, Any]]:
        cols = [c for c in documents.c if c.name != "content"]
        rows = (await self.session.execute(select(*cols).where(documents.c.request_id == request_id))).all()
        return [dict(r._mapping) for r in rows]

    async def document(self, document_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(documents).where(documents.c.id == document_id))).first()
        return dict(row._mapping) if row else None

    async def overdue_documentation(self, now: datetime) -> list[dict[str, Any]]:
        stmt = select(documentation_requests).where(
            documentation_requests.c.status == "open", documentation_requests.c.due_at < now,
            documentation_requests.c.overdue_flagged_at.is_(None),
        ).with_for_update(skip_locked=True)
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]

    # ---- exchange clearing holding accounts (§95921(d)) -------------------------------------------
    async def add_receipt(self, values: dict[str, Any]) -> None:
        await self.session.execute(clearing_receipts.insert().values(**values))

    async def consume_receipts(self, account: str, quantity: int) -> None:
        """Instruments leaving a clearing account pass on the oldest receipts first (FIFO)."""
        stmt = (
            select(clearing_receipts.c.id, clearing_receipts.c.remaining)
            .where(clearing_receipts.c.account_number == account, clearing_receipts.c.remaining > 0)
            .order_by(clearing_receipts.c.received_at, clearing_receipts.c.id)
            .with_for_update()
        )
        left = quantity
        for receipt_id, remaining in (await self.session.execute(stmt)).all():
            if left <= 0:
                break
            take = min(left, remaining)
            left -= take
            await self.session.execute(
                update(clearing_receipts).where(clearing_receipts.c.id == receipt_id)
                .values(remaining=remaining - take))

    async def overdue_receipts(self, now: datetime) -> list[dict[str, Any]]:
        stmt = select(clearing_receipts).where(
            clearing_receipts.c.remaining > 0, clearing_receipts.c.due_at < now,
            clearing_receipts.c.overdue_flagged_at.is_(None),
        ).with_for_update(skip_locked=True)
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def flag_receipt(self, receipt_id: int, at: datetime) -> None:
        await self.session.execute(
            update(clearing_receipts).where(clearing_receipts.c.id == receipt_id).values(overdue_flagged_at=at))

    async def receipts_of(self, account: str) -> list[dict[str, Any]]:
        stmt = select(clearing_receipts).where(clearing_receipts.c.account_number == account)
        return [dict(r._mapping) for r in (await self.session.execute(stmt.order_by(clearing_receipts.c.id))).all()]

    async def add_block(self, values: dict[str, Any]) -> None:
        await self.session.execute(clearing_blocks.insert().values(**values))

    async def active_blocks(self, entity_id: str) -> list[dict[str, Any]]:
        stmt = select(clearing_blocks).where(clearing_blocks.c.entity_id == entity_id,
                                             clearing_blocks.c.lifted_at.is_(None)).with_for_update()
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def lift_block(self, block_id: str, **values: Any) -> None:
        await self.session.execute(update(clearing_blocks).where(clearing_blocks.c.id == block_id).values(**values))

    async def add_failure(self, values: dict[str, Any]) -> None:
        await self.session.execute(clearing_failures.insert().values(**values))

    async def failure(self, failure_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        stmt = select(clearing_failures).where(clearing_failures.c.id == failure_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return dict(row._mapping) if row else None

    async def update_failure(self, failure_id: str, **values: Any) -> None:
        await self.session.execute(
            update(clearing_failures).where(clearing_failures.c.id == failure_id).values(**values))

    async def failures_of(self, account: str) -> list[dict[str, Any]]:
        stmt = select(clearing_failures).where(clearing_failures.c.account_number == account)
        return [dict(r._mapping) for r in (await self.session.execute(stmt.order_by(clearing_failures.c.failed_at)))]

    async def overdue_failure_notices(self, now: datetime) -> list[dict[str, Any]]:
        stmt = select(clearing_failures).where(
            clearing_failures.c.notice_filed_at.is_(None), clearing_failures.c.notice_due_at < now,
            clearing_failures.c.overdue_flagged_at.is_(None),
        ).with_for_update(skip_locked=True)
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]


class SqlAlchemyNotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(notifications.insert(), rows)

    async def for_recipients(self, recipients: list[str], *, transfer_id: str | None, since: datetime | None,
                             limit: int) -> list[dict[str, Any]]:
        stmt = select(notifications).where(notifications.c.recipient.in_(recipients))
        if transfer_id:
            stmt = stmt.where(notifications.c.transfer_id == transfer_id)
        if since:
            stmt = stmt.where(notifications.c.created_at >= since)
        stmt = stmt.order_by(notifications.c.created_at.desc(), notifications.c.id).limit(limit)
        return [dict(r._mapping) for r in (await self.session.execute(stmt)).all()]
