"""Tables of the transfers database. No other service reads them.

Retention (§95921(h)(2)): transfer requests and everything attached to them are kept at least ten
years (`transfers.retain_until`); the service has no path that deletes them.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

# ---- projections of the registry's state (registry.accounts.v1, registry.entities.v1) -------------
accounts = Table(
    "accounts",
    metadata,
    Column("account_number", String(64), primary_key=True),
    Column("account_type", String(64), nullable=False),
    Column("owner_kind", String(16), nullable=False),
    Column("entity_id", String(64), index=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("representatives", JSONB, nullable=False),  # [{"individual_id", "role"}]
    Column("as_of", DateTime(timezone=True), nullable=False),  # last write wins by occurred_at
)

entities = Table(
    "entities",
    metadata,
    Column("entity_id", String(64), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("entity_type", String(64), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("direct_associates", JSONB, nullable=False),
    Column("transfers_restricted", Boolean, nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
)

# ---- transfer requests ------------------------------------------------------------------------------
transfers = Table(
    "transfers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("version", Integer, nullable=False),  # optimistic check on top of SELECT ... FOR UPDATE
    Column("origin", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("source_account", String(64), nullable=False, index=True),
    Column("source_entity_id", String(64)),
    Column("source_account_type", String(64), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("destination_account", String(64), nullable=False, index=True),
    Column("destination_entity_id", String(64)),
    Column("destination_account_type", String(64), nullable=False),
    Column("instrument_type", String(16), nullable=False),
    Column("instrument_jurisdiction", String(8), nullable=False),
    Column("vintage", Integer),
    Column("quantity", BigInteger, nullable=False),
    Column("transaction_type", String(32)),
    Column("price", Numeric(18, 2)),
    Column("currency", String(3)),
    Column("zero_price_reason", String(1)),
    Column("terms", JSONB),  # every field of §95921(b)(2)–(b)(6) and (a)(4) as entered
    Column("requires_acceptance", Boolean, nullable=False),
    Column("named_confirmer", String(64)),
    Column("submitted_by", String(64), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("deadline_at", DateTime(timezone=True)),  # when the open request expires (swept)
    Column("confirmed_by", String(64)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("accepted_by", String(64)),
    Column("accepted_at", DateTime(timezone=True)),
    Column("determined_by", String(64)),
    Column("determined_at", DateTime(timezone=True)),
    Column("determination_reason", Text),
    Column("outcome_code", String(64)),
    Column("outcome_message", Text),
    Column("move_request_id", String(80), unique=True),
    Column("move_id", String(80)),
    Column("recorded_at", DateTime(timezone=True)),
    Column("reversal_request_id", String(80), unique=True),
    Column("reversal_move_id", String(80)),
    Column("reversed_at", DateTime(timezone=True)),
    Column("status_before_deficiency", String(32)),
    Column("closed_at", DateTime(timezone=True)),
    Column("flags", JSONB, nullable=False),
    Column("note", Text),
    Column("retain_until", DateTime(timezone=True), nullable=False),  # §95921(h)(2)
)
Index("ix_transfers_open_deadline", transfers.c.deadline_at, postgresql_where=transfers.c.deadline_at.is_not(None))
Index("ix_transfers_report", transfers.c.recorded_at, postgresql_where=transfers.c.status == "recorded")

# §95921(i): deficiencies found before or after recording
deficiencies = Table(
    "deficiencies",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("transfer_id", String(40), nullable=False, index=True),
    Column("stage", String(16), nullable=False),  # before_recording | after_recording
    Column("kind", String(32), nullable=False),  # information | holding_limit | other
    Column("responsible", String(16), nullable=False),  # source | destination
    Column("problem", Text, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("found_by", String(64), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("correct_by", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # open | corrected | lapsed | reversed | closed
    Column("resolved_by", String(64)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text),
)

# §95921(c), (h)(1): documentation requests and the confidential documents uploaded for them
documentation_requests = Table(
    "documentation_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("transfer_id", String(40), nullable=False, index=True),
    Column("party", String(16), nullable=False),  # source | destination
    Column("account_number", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # open | fulfilled
    Column("overdue_flagged_at", DateTime(timezone=True)),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("request_id", String(40), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# §95921(d)(2): what an exchange clearing holding account received and must pass on within five days
clearing_receipts = Table(
    "clearing_receipts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("account_number", String(64), nullable=False, index=True),
    Column("transfer_id", String(40), nullable=False),
    Column("instrument_type", String(16), nullable=False),
    Column("instrument_jurisdiction", String(8), nullable=False),
    Column("vintage", Integer),
    Column("quantity", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("overdue_flagged_at", DateTime(timezone=True)),
)

# §95921(d)(4): an entity whose clearing receipt broke the holding limit may not transfer to others
clearing_blocks = Table(
    "clearing_blocks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(64), nullable=False, index=True),
    Column("transfer_id", String(40), nullable=False),
    Column("imposed_by", String(64), nullable=False),
    Column("imposed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("lifted_by", String(64)),
    Column("lifted_at", DateTime(timezone=True)),
    Column("determination", Text),
)

# §95921(d)(4): a clearing account that could not complete a transfer: the operator's notice in 3 days
clearing_failures = Table(
    "clearing_failures",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("transfer_id", String(40), nullable=False, unique=True),
    Column("account_number", String(64), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("notice_due_at", DateTime(timezone=True), nullable=False),
    Column("notice_filed_by", String(64)),
    Column("notice_filed_at", DateTime(timezone=True)),
    Column("notice", Text),
    Column("overdue_flagged_at", DateTime(timezone=True)),
)

# every notice to every party, readable through GET /v1/notifications
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("recipient", String(100), nullable=False),  # individual id, or "role:executive_officer:CA"
    Column("transfer_id", String(40), index=True),
    Column("kind", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_notifications_recipient", notifications.c.recipient, notifications.c.created_at)
