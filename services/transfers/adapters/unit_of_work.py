from shared.db.uow import SqlAlchemyUnitOfWork


class TransfersUnitOfWork(SqlAlchemyUnitOfWork):
    """The transfers service's unit of work; repositories are built on the open session."""
