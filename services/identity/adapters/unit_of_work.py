from shared.db.uow import SqlAlchemyUnitOfWork


class IdentityUnitOfWork(SqlAlchemyUnitOfWork):
    """The identity service's unit of work; repositories are built on the open session."""
