from typing import cast

from services.registry.adapters.ledger_repository import SqlAlchemyLedgerRepository
from services.registry.adapters.repository import SqlAlchemyRegistryRepository
from shared.db.uow import SqlAlchemyUnitOfWork


class RegistryUnitOfWork(SqlAlchemyUnitOfWork):
    """The registry service's unit of work; repositories are built on the open session."""

    registry: SqlAlchemyRegistryRepository
    ledger: SqlAlchemyLedgerRepository

    def _on_open(self) -> None:
        self.registry = SqlAlchemyRegistryRepository(self.session)
        self.ledger = SqlAlchemyLedgerRepository(self.session)


def registry_uow(uow: SqlAlchemyUnitOfWork) -> RegistryUnitOfWork:
    """Consumers receive the base type; the runtime always builds a RegistryUnitOfWork."""
    assert isinstance(uow, RegistryUnitOfWork)
    return cast(RegistryUnitOfWork, uow)
