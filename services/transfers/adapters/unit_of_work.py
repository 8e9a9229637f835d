from sqlalchemy import text

from services.transfers.adapters.oversight_repository import (
    SqlAlchemyNotificationRepository,
    SqlAlchemyOversightRepository,
)
from services.transfers.adapters.repository import SqlAlchemyProjectionRepository, SqlAlchemyTransferRepository
from shared.audit import AUDIT_LOCK_KEY as AUDIT_CHAIN_LOCK
from shared.db.uow import SqlAlchemyUnitOfWork


class TransfersUnitOfWork(SqlAlchemyUnitOfWork):
    """The transfers service's unit of work; repositories are built on the open session."""

    transfers: SqlAlchemyTransferRepository
    projections: SqlAlchemyProjectionRepository
    oversight: SqlAlchemyOversightRepository
    notifications: SqlAlchemyNotificationRepository

    def _on_open(self) -> None:
        session = self.session
        self.transfers = SqlAlchemyTransferRepository(session)
        self.projections = SqlAlchemyProjectionRepository(session)
        self.oversight = SqlAlchemyOversightRepository(session)
        self.notifications = SqlAlchemyNotificationRepository(session)

    async def lock_for_writing(self) -> None:
        """Take the audit chain's lock before locking rows that the consumer also locks.

        Appending to the audit chain takes a transaction-wide advisory lock. A consumer batch audits
        one event and then locks the next event's transfer row; a request that locked that row first
        and then audited would deadlock with it. So every request or sweep that locks a transfer (or a
        clearing receipt) takes the audit lock first: one lock order, audit chain then rows.
        """
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_CHAIN_LOCK})
