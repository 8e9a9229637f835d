"""Tables of the registry database. No other service reads them."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

# individuals as known from identity's events (§95834 KYC status decides who may represent)
known_individuals = Table(
    "known_individuals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("kyc_status", String(40), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# counters: account number sequence, serial numbers per issuing jurisdiction, journal sequence
counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("entity_type", String(40), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("taxpayer_id", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("details", JSONB, nullable=False),  # addresses, directors and officers, proposed representatives
    Column("applied_by", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
    Column("status_reason", Text),
    Column("status_changed_at", DateTime(timezone=True), nullable=False),
    Column("holding_limit_share", Numeric(9, 8)),
    Column("purchase_limit_share", Numeric(9, 8)),
    Column("holding_limit_lowered_to", BigInteger),  # §95921(g)(1)
    Column("transfer_restriction", String(30), nullable=False, server_default=text("'none'")),  # §95921(g)(4)
    Column("compliance_exemption", BigInteger),  # limited exemption; NULL = the configured default
    Column("sell_deadline", DateTime(timezone=True)),  # §95921(g)(3)(A)
    Column("remainder_consigned_at", DateTime(timezone=True)),  # §95921(g)(3)(B)
    Column("version", Integer, nullable=False, server_default=text("1")),
)
Index("ix_entities_taxpayer", entities.c.jurisdiction, entities.c.taxpayer_id)
Index("ix_entities_status", entities.c.status)

entity_associations = Table(
    "entity_associations",
    metadata,
    Column("entity_id", String(40), ForeignKey("entities.id"), primary_key=True),
    Column("associate_entity_id", String(40), ForeignKey("entities.id"), primary_key=True),
    Column("indicia", JSONB, nullable=False),
    Column("direct", Boolean, nullable=False),  # any indicium of control over 50 % (§95833)
    Column("declared_at", DateTime(timezone=True), nullable=False),
)
Index("ix_entity_associations_associate", entity_associations.c.associate_entity_id)

accounts = Table(
    "accounts",
    metadata,
    Column("number", String(20), primary_key=True),
    Column("account_type", String(40), nullable=False),
    Column("owner_kind", String(20), nullable=False),
    Column("entity_id", String(40), ForeignKey("entities.id")),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("status_changed_at", DateTime(timezone=True), nullable=False),
)
Index("uq_accounts_entity_type", accounts.c.entity_id, accounts.c.account_type, unique=True,
      postgresql_where=accounts.c.entity_id.is_not(None))
Index("uq_accounts_jurisdiction_type", accounts.c.jurisdiction, accounts.c.account_type, unique=True,
      postgresql_where=accounts.c.owner_kind == "jurisdiction")

account_representatives = Table(
    "account_representatives",
    metadata,
    Column("account_number", String(20), ForeignKey("accounts.number"), primary_key=True),
    Column("individual_id", String(40), primary_key=True),
    Column("role", String(20), nullable=False),  # primary, alternate, viewing_agent (§95832)
    Column("since", DateTime(timezone=True), nullable=False),
)
Index("ix_account_representatives_individual", account_representatives.c.individual_id)

representative_requests = Table(
    "representative_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(40), ForeignKey("entities.id"), nullable=False),
    Column("account_numbers", JSONB),  # None = every account of the entity
    Column("primary_id", String(40), nullable=False),
    Column("alternates", JSONB, nullable=False),
    Column("viewing_agents", JSONB, nullable=False),
    Column("status", String(20), nullable=False),  # pending, approved, denied
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", Text),
)

# the ledger: holdings as serial blocks; no serial of a jurisdiction is in two blocks (database-enforced)
holding_blocks = Table(
    "holding_blocks",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("account_number", String(20), ForeignKey("accounts.number"), nullable=False),
    Column("instrument_type", String(20), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("vintage", Integer),
    Column("first_serial", BigInteger, nullable=False),
    Column("last_serial", BigInteger, nullable=False),
    Column("reservation_id", String(100)),
    CheckConstraint("first_serial >= 1 AND first_serial <= last_serial", name="serial_order"),
)
holding_blocks.append_constraint(
    ExcludeConstraint(
        (holding_blocks.c.jurisdiction, "="),
        (func.int8range(holding_blocks.c.first_serial, holding_blocks.c.last_serial, literal_column("'[]'")), "&&"),
        name="ex_holding_blocks_serials",
        using="gist",
    )
)
# a block is addressed by its first serial (unique per jurisdiction, implied by the exclusion constraint)
Index("uq_holding_blocks_first", holding_blocks.c.jurisdiction, holding_blocks.c.first_serial, unique=True)
Index("ix_holding_blocks_pick", holding_blocks.c.account_number, holding_blocks.c.instrument_type,
      holding_blocks.c.jurisdiction, holding_blocks.c.first_serial)
Index("ix_holding_blocks_reservation", holding_blocks.c.reservation_id,
      postgresql_where=holding_blocks.c.reservation_id.is_not(None))

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(100), primary_key=True),  # = the ReserveInstruments request id
    Column("account_number", String(20), ForeignKey("accounts.number"), nullable=False),
    Column("instrument_type", String(20), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("vintage", Integer),
    Column("quantity", BigInteger, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # active, released, consumed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
)

# one row per ledger command applied: request_id idempotency (the inbox de-duplicates event ids)
ledger_requests = Table(
    "ledger_requests",
    metadata,
    Column("request_id", String(100), primary_key=True),
    Column("command_type", String(60), primary_key=True),
    Column("outcome", String(20), nullable=False),  # applied, refused
    Column("answer_type", String(60), nullable=False),
    Column("answer", JSONB, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# one row per movement (issuance, move, retirement, inbound): the linkage feed pages over `seq`
ledger_moves = Table(
    "ledger_moves",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # gap-free, in commit order
    Column("move_id", String(40), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # issuance, move, retirement, inbound
    Column("source_account", String(20)),
    Column("destination_account", String(20), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("reason", String(60), nullable=False),
    Column("request_id", String(100)),
    Column("reference", String(200)),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# the journal: every serial range that moved, append-only; reconciliation re-derives holdings from it
journal = Table(
    "journal",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("move_seq", BigInteger, ForeignKey("ledger_moves.seq"), nullable=False),
    Column("instrument_type", String(20), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("vintage", Integer),
    Column("first_serial", BigInteger, nullable=False),
    Column("last_serial", BigInteger, nullable=False),
    Column("source_account", String(20)),  # NULL: created (issuance, inbound from a linked registry)
    Column("destination_account", String(20), nullable=False),
)
Index("ix_journal_move_seq", journal.c.move_seq)

# inbound transfers from a linked registry (accepted only from its registered machine client)
linkage_inbound = Table(
    "linkage_inbound",
    metadata,
    Column("external_transfer_id", String(100), primary_key=True),
    Column("client_id", String(200), primary_key=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("destination_account", String(20), nullable=False),
    Column("move_id", String(40), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
