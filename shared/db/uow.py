"""Unit of work: one command, one transaction, one commit.

Events are written to the outbox and audit records appended inside the same transaction as the
state change, so either all of them happen or none does.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.audit import record_audit
from shared.clock import Clock
from shared.context import current_context
from shared.contracts.base import Event
from shared.db.tables import InfrastructureTables
from shared.messaging.envelope import Envelope
from shared.telemetry import current_traceparent


class SqlAlchemyUnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tables: InfrastructureTables,
        *,
        producer: str,
        clock: Clock,
    ) -> None:
        self._session_factory = session_factory
        self.tables = tables
        self.producer = producer
        self.clock = clock
        self._session: AsyncSession | None = None
        self._committed = False
        self.published: list[Envelope] = []
        self._outbox_rows: list[dict[str, Any]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        await self._session.begin()
        self._committed = False
        self.published = []
        self._outbox_rows = []
        self._on_open()
        return self

    def _on_open(self) -> None:
        """Hook for subclasses to build repositories on the open session."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self._committed:
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def flush_outbox(self) -> None:
        """Write the buffered events into the outbox (one statement), still inside the transaction."""
        if self._outbox_rows:
            rows, self._outbox_rows = self._outbox_rows, []
            await self.session.execute(self.tables.outbox.insert(), rows)

    async def commit(self) -> None:
        await self.flush_outbox()
        if self.published:
            # wakes the relay at commit time (NOTIFY is transactional)
            await self.session.execute(text("SELECT pg_notify('capreg_outbox', '')"))
        await self.session.commit()
        self._committed = True

    async def rollback(self) -> None:
        await self.session.rollback()

    async def publish(self, event: Event, *, key: str | None = None) -> Envelope:
        """Write the event to the outbox in this transaction (never straight to the broker)."""
        ctx = current_context()
        envelope = Envelope(
            event_id=uuid.uuid4(),
            event_type=event.EVENT_TYPE,
            schema_version=event.SCHEMA_VERSION,
            occurred_at=self.clock.now(),
            producer=self.producer,
            aggregate_id=key or event.aggregate_id(),
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            traceparent=current_traceparent(),
            payload=event.model_dump(mode="json"),
        )
        self._outbox_rows.append(
            {
                "event_id": envelope.event_id,
                "topic": str(event.TOPIC),
                "message_key": envelope.aggregate_id,
                "event_type": envelope.event_type,
                "envelope": envelope.model_dump(mode="json"),
                "created_at": envelope.occurred_at,
            }
        )
        self.published.append(envelope)
        return envelope

    async def audit(
        self,
        action: str,
        subject: str | None,
        details: dict[str, Any] | None = None,
        *,
        actor: str | None = None,
    ) -> str:
        return await record_audit(
            self.session,
            self.tables.audit_log,
            action=action,
            subject=subject,
            at=self.clock.now(),
            details=details,
            actor=actor,
        )
