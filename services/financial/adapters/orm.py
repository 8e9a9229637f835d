"""Tables of the financial database. No other service reads them.

Money is Numeric(18, 2) with a currency column; the ledger's postings are append-only and every
ledger transaction balances (a deferred constraint trigger in the migration checks it at commit).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

MONEY = Numeric(18, 2)
ID = String(64)

# auctions as the auction service announced and certified them (§95912(c), (i))
auctions = Table(
    "auctions",
    metadata,
    Column("auction_id", ID, primary_key=True),
    Column("auction_date", Date, nullable=False),
    Column("bidding_opens_at", DateTime(timezone=True)),
    Column("bidding_closes_at", DateTime(timezone=True)),
    Column("jurisdictions", JSONB, nullable=False),
    Column("guarantee_deadline", Date, nullable=False),
    Column("rescheduled_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),  # scheduled, certified, distributed
    Column("certified_at", DateTime(timezone=True)),
    Column("current_price_usd", MONEY),
    Column("advance_price_usd", MONEY),
    Column("cad_per_usd", Numeric(18, 8)),
    Column("payment_due_on", Date),
    Column("holding_accounts", JSONB),
    Column("sold_current", JSONB),
    Column("sold_advance", JSONB),
    Column("problems", JSONB, nullable=False, server_default="[]"),
    Column("distributed_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

bidders = Table(
    "bidders",
    metadata,
    Column("auction_id", ID, primary_key=True),
    Column("entity_id", ID, primary_key=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
)

consignor_sales = Table(
    "consignor_sales",
    metadata,
    Column("auction_id", ID, primary_key=True),
    Column("entity_id", ID, primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("proceeds", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
)

guarantees = Table(
    "guarantees",
    metadata,
    Column("id", ID, primary_key=True),
    Column("entity_id", ID, nullable=False),
    Column("auction_id", ID, nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("form", String(20), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("expires_on", Date),
    Column("issuer", String(200)),
    Column("instrument_reference", String(200)),
    Column("status", String(20), nullable=False),
    Column("drawn", MONEY, nullable=False),
    Column("returned", MONEY, nullable=False),
    Column("multi_auction", Boolean, nullable=False),
    Column("amends", ID),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("evaluated_by", String(200)),
    Column("evaluated_at", DateTime(timezone=True)),
    Column("evaluation_note", Text),
    Column("accepted_by", String(200)),
    Column("accepted_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    CheckConstraint("amount > 0 AND drawn >= 0 AND returned >= 0 AND drawn + returned <= amount", name="amounts"),
)
Index("ix_guarantees_auction_entity", guarantees.c.auction_id, guarantees.c.entity_id)

invoices = Table(
    "invoices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("auction_id", ID, nullable=False),
    Column("entity_id", ID, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("certified_cost", MONEY, nullable=False),
    Column("current_quantity", BigInteger, nullable=False),
    Column("advance_quantity", BigInteger, nullable=False),
    Column("destination_account", String(64), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("paid_cash", MONEY, nullable=False),
    Column("drawn", MONEY, nullable=False),
    Column("overpaid", MONEY, nullable=False),
    Column("status", String(20), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    UniqueConstraint("auction_id", "entity_id", name="uq_invoices_auction_entity"),
    CheckConstraint("paid_cash + drawn <= amount", name="not_over_applied"),
)
Index("ix_invoices_open_due", invoices.c.due_on, postgresql_where=invoices.c.status == "open")

payments = Table(
    "payments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("applied", MONEY, nullable=False),
    Column("excess", MONEY, nullable=False),
    Column("wire_reference", String(200), nullable=False, unique=True),
    Column("received_on", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("request_id", ID, primary_key=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=False),
    Column("auction_id", ID, nullable=False),
    Column("entity_id", ID, nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("pool", String(10), nullable=False),
    Column("vintage", Integer),
    Column("quantity", BigInteger, nullable=False),
    Column("source_account", String(64), nullable=False),
    Column("destination_account", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # requested, recorded, refused, superseded
    Column("move_id", String(64)),
    Column("refusal_code", String(100)),
    Column("refusal_message", Text),
    Column("retry_of", ID),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_deliveries_invoice", deliveries.c.invoice_id)

# accounts and their representatives as the registry publishes them (§95832)
entity_accounts = Table(
    "entity_accounts",
    metadata,
    Column("account_number", String(64), primary_key=True),
    Column("entity_id", ID),
    Column("account_type", String(40), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(40), nullable=False),
    Column("representatives", JSONB, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
Index("ix_entity_accounts_entity", entity_accounts.c.entity_id)

ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("auction_id", ID),
    Column("entity_id", ID),
    Column("guarantee_id", ID),
    Column("invoice_id", ID),
    Column("reference", String(200)),
    Column("memo", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
Index("ix_ledger_transactions_auction", ledger_transactions.c.auction_id)

ledger_postings = Table(
    "ledger_postings",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("transaction_id", BigInteger, ForeignKey("ledger_transactions.id"), nullable=False),
    Column("account", String(200), nullable=False),
    Column("amount", MONEY, nullable=False),  # debit > 0, credit < 0
    CheckConstraint("amount <> 0", name="nonzero"),
)
Index("ix_ledger_postings_transaction", ledger_postings.c.transaction_id)
Index("ix_ledger_postings_account", ledger_postings.c.account)
