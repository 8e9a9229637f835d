from shared.db.uow import SqlAlchemyUnitOfWork


class AuctionUnitOfWork(SqlAlchemyUnitOfWork):
    """The auction service's unit of work; repositories are built on the open session."""
