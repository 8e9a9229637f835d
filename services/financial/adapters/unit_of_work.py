from services.financial.adapters.repository import (
    AccountRepository,
    AuctionRepository,
    BidderRepository,
    ConsignorSaleRepository,
    DeliveryRepository,
    GuaranteeRepository,
    InvoiceRepository,
    LedgerRepository,
    PaymentRepository,
)
from shared.db.uow import SqlAlchemyUnitOfWork


class FinancialUnitOfWork(SqlAlchemyUnitOfWork):
    """The financial service's unit of work; repositories are built on the open session."""

    auctions: AuctionRepository
    bidders: BidderRepository
    consignor_sales: ConsignorSaleRepository
    guarantees: GuaranteeRepository
    invoices: InvoiceRepository
    payments: PaymentRepository
    deliveries: DeliveryRepository
    accounts: AccountRepository
    ledger: LedgerRepository

    def _on_open(self) -> None:
        session = self.session
        self.auctions = AuctionRepository(session)
        self.bidders = BidderRepository(session)
        self.consignor_sales = ConsignorSaleRepository(session)
        self.guarantees = GuaranteeRepository(session)
        self.invoices = InvoiceRepository(session)
        self.payments = PaymentRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.accounts = AccountRepository(session)
        self.ledger = LedgerRepository(session)
