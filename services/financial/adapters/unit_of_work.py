from shared.db.uow import SqlAlchemyUnitOfWork


class FinancialUnitOfWork(SqlAlchemyUnitOfWork):
    """The financial service's unit of work; repositories are built on the open session."""
