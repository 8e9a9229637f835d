"""Append-only, hash-chained audit trail: who did what, when, from which credential.

Each record's hash covers its content and the previous record's hash, so any edit or deletion
breaks the chain at that point; `verify_chain` reports the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import current_context

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x6361_7072_6567  # pg advisory lock id: serialises appends to one chain


def _digest(prev_hash: str, record: dict[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
    occurred = row["occurred_at"]
    return {
        "occurred_at": occurred.isoformat() if isinstance(occurred, datetime) else occurred,
        "actor": row["actor"],
        "credential": row["credential"],
        "action": row["action"],
        "subject": row["subject"],
        "details": row["details"],
        "ip": row["ip"],
        "user_agent": row["user_agent"],
        "correlation_id": row["correlation_id"],
    }


async def record_audit(
    session: AsyncSession,
    table: Table,
    *,
    action: str,
    subject: str | None,
    at: datetime,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> str:
    """Append one record in the caller's transaction and return its hash."""
    ctx = current_context()
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    last = (await session.execute(select(table.c.hash).order_by(table.c.seq.desc()).limit(1))).scalar()
    prev_hash = last or GENESIS
    row = {
        "occurred_at": at.astimezone(UTC),
        "actor": actor or ctx.actor,
        "credential": ctx.credential,
        "action": action,
        "subject": subject,
        "details": json.loads(json.dumps(details or {}, default=str)),
        "ip": ctx.ip,
        "user_agent": ctx.user_agent,
        "correlation_id": ctx.correlation_id,
    }
    digest = _digest(prev_hash, _hashed_fields(row))
    await session.execute(table.insert().values(**row, prev_hash=prev_hash, hash=digest))
    return digest


@dataclass(frozen=True)
class ChainReport:
    records: int
    intact: bool
    first_broken_seq: int | None = None
    reason: str | None = None


async def verify_chain(session: AsyncSession, table: Table) -> ChainReport:
    prev_hash = GENESIS
    count = 0
    result = await session.stream(select(table).order_by(table.c.seq))
    async for row in result.mappings():
        count += 1
        if row["prev_hash"] != prev_hash:
            return ChainReport(count, False, row["seq"], "prev_hash does not match the previous record")
        expected = _digest(prev_hash, _hashed_fields(dict(row)))
        if expected != row["hash"]:
            return ChainReport(count, False, row["seq"], "record content does not match its hash")
        prev_hash = row["hash"]
    return ChainReport(count, True)
