"""Tables of the auction database. No other service reads them.

Confidential (§95914(c), §95912(f)): auction_applications, bids, bid_guarantees, clearings,
winner_notices, fsa_information. Only the auction service's API decides who sees them.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

# §95912(c): the published notice, the bidding window (§95912(j)) and the certification (§95912(i))
auctions = Table(
    "auctions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("jurisdictions", JSONB, nullable=False),
    Column("status", String(20), nullable=False),
    Column("auction_date", Date, nullable=False),
    Column("original_auction_date", Date, nullable=False),
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    Column("notice", JSONB, nullable=False),
    Column("offers", JSONB, nullable=False),
    Column("reserve_prices", JSONB, nullable=False),  # jurisdiction -> amount in its currency
    Column("purchase_limit_rates", JSONB, nullable=False),
    Column("exchange_rate", Numeric(12, 6), nullable=True),  # CAD per USD
    Column("delay_minutes", Integer, nullable=False, server_default="0"),
    Column("rescheduled", Boolean, nullable=False, server_default="false"),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("cleared_at", DateTime(timezone=True), nullable=True),
    Column("certified_at", DateTime(timezone=True), nullable=True),
    Column("certified_by", String(200), nullable=True),
    Column("certification_note", Text, nullable=True),
    Column("payment_due_on", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
)

# §95912(d)(4) eligibility information and (e) intent to bid, with the executive officer's decisions
auction_applications = Table(
    "auction_applications",
    metadata,
    Column("auction_id", String(40), ForeignKey("auctions.id"), primary_key=True),
    Column("entity_id", String(40), primary_key=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("intends_to_bid", Boolean, nullable=False),
    Column("eligibility", JSONB, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("late_change_at", DateTime(timezone=True), nullable=True),
    Column("review_pending", Boolean, nullable=False, server_default="false"),
    Column("eligibility_decided_at", DateTime(timezone=True), nullable=True),
    Column("eligibility_decided_by", String(200), nullable=True),
    Column("participation_decided_at", DateTime(timezone=True), nullable=True),
    Column("participation_decided_by", String(200), nullable=True),
    Column("denial_reason", Text, nullable=True),
    Column("registry_headroom", BigInteger, nullable=True),
    Column("registry_headroom_at", DateTime(timezone=True), nullable=True),
)

bids = Table(
    "bids",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("auction_id", String(40), ForeignKey("auctions.id"), nullable=False),
    Column("entity_id", String(40), nullable=False),
    Column("pool", String(10), nullable=False),
    Column("price", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("updated_by", String(200), nullable=True),
    Index("ix_bids_auction_entity", "auction_id", "entity_id"),
)

# §95912(h)(8): the value of each accepted bid guarantee, as the financial service reported it
bid_guarantees = Table(
    "bid_guarantees",
    metadata,
    Column("auction_id", String(40), primary_key=True),
    Column("entity_id", String(40), primary_key=True),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
)

# what the registry and identity told us (last write wins by the event's occurred_at)
known_entities = Table(
    "known_entities",
    metadata,
    Column("entity_id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("entity_type", String(80), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("direct_associates", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

known_accounts = Table(
    "known_accounts",
    metadata,
    Column("account_number", String(60), primary_key=True),
    Column("account_type", String(60), nullable=False),
    Column("owner_kind", String(20), nullable=False),
    Column("entity_id", String(40), nullable=True, index=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

account_representatives = Table(
    "account_representatives",
    metadata,
    Column("account_number", String(60), ForeignKey("known_accounts.account_number"), primary_key=True),
    Column("individual_id", String(40), primary_key=True),
    Column("role", String(20), nullable=False),
    Index("ix_account_representatives_individual", "individual_id"),
)

known_individuals = Table(
    "known_individuals",
    metadata,
    Column("individual_id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=True),
    Column("jurisdiction", String(8), nullable=True),
    Column("kyc_status", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# §95912(d)(6)(B): the financial services administrator's information (Appendix A), per representative
fsa_information = Table(
    "fsa_information",
    metadata,
    Column("individual_id", String(40), primary_key=True),
    Column("details", JSONB, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

# the clearing, replayable: the engine's exact input (seed included) and its rendered result
clearings = Table(
    "clearings",
    metadata,
    Column("auction_id", String(40), ForeignKey("auctions.id"), primary_key=True),
    Column("seed", BigInteger, nullable=False),
    Column("input", JSONB, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("input_sha256", String(64), nullable=False),
    Column("result_sha256", String(64), nullable=False),
    Column("cleared_at", DateTime(timezone=True), nullable=False),
    Column("cleared_by", String(200), nullable=False),
)

# §95912(i)(2): one notice per winning bidder
winner_notices = Table(
    "winner_notices",
    metadata,
    Column("auction_id", String(40), ForeignKey("auctions.id"), primary_key=True),
    Column("entity_id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("current_quantity", BigInteger, nullable=False),
    Column("advance_quantity", BigInteger, nullable=False),
    Column("current_price", Numeric(18, 2), nullable=True),
    Column("advance_price", Numeric(18, 2), nullable=True),
    Column("total_cost", Numeric(18, 2), nullable=False),
    Column("destination_account", String(60), nullable=False),
    Column("payment_due_on", Date, nullable=False),
    Column("payment_method", Text, nullable=False),
    Column("notified_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
    Column("paid_amount", Numeric(18, 2), nullable=True),
)

# §95912(i)(6): what is published
public_results = Table(
    "public_results",
    metadata,
    Column("auction_id", String(40), ForeignKey("auctions.id"), primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

# §95912(i)(5): serial numbers of allowances sold, reported on the linkage feed as they are delivered
serial_reports = Table(
    "serial_reports",
    metadata,
    Column("move_id", String(60), primary_key=True),
    Column("auction_id", String(40), nullable=False, index=True),
    Column("serials", JSONB, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
)
