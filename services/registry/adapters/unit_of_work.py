from shared.db.uow import SqlAlchemyUnitOfWork


class RegistryUnitOfWork(SqlAlchemyUnitOfWork):
    """The registry service's unit of work; repositories are built on the open session."""
