"""The auction service's unit of work; repositories are built on the open session."""

from services.auction.adapters.directory import DirectoryRepository
from services.auction.adapters.repository import (
    ApplicationRepository,
    AuctionRepository,
    BidRepository,
    ClearingRepository,
    GuaranteeRepository,
    ResultsRepository,
)
from shared.db.uow import SqlAlchemyUnitOfWork


class AuctionUnitOfWork(SqlAlchemyUnitOfWork):
    auctions: AuctionRepository
    applications: ApplicationRepository
    bids: BidRepository
    guarantees: GuaranteeRepository
    clearings: ClearingRepository
    results: ResultsRepository
    directory: DirectoryRepository

    def _on_open(self) -> None:
        session = self.session
        self.auctions = AuctionRepository(session)
        self.applications = ApplicationRepository(session)
        self.bids = BidRepository(session)
        self.guarantees = GuaranteeRepository(session)
        self.clearings = ClearingRepository(session)
        self.results = ResultsRepository(session)
        self.directory = DirectoryRepository(session)
