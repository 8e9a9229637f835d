"""Tables of the identity database. No other service reads them.

Personal identifiers are never indexed in clear: the one-person-one-credential fingerprints are
HMAC-SHA256 values (`person_key`, `document_key`); ID numbers and TOTP secrets are encrypted.
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
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

individuals = Table(
    "individuals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(40), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("legal_name", String(300), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("phone", String(40)),
    Column("date_of_birth", Date),
    Column("residence", JSONB),
    Column("id_type", String(40)),
    Column("id_number_enc", LargeBinary),
    Column("id_number_masked", String(80)),
    Column("id_issuer", String(200)),
    Column("id_expires_on", Date),
    Column("bank_name", String(200)),
    Column("bank_statement_date", Date),
    Column("felony_attested_at", DateTime(timezone=True)),
    Column("person_key", String(64)),
    Column("document_key", String(64)),
    Column("registration_token_hash", String(64)),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("documents_submitted_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(200)),
    Column("status_reason", Text),
    Column("activated_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("0")),
)
Index("ix_individuals_person_key", individuals.c.person_key)
Index("uq_individuals_document_key", individuals.c.document_key, unique=True,
      postgresql_where=individuals.c.document_key.isnot(None))
Index("ix_individuals_review_queue", individuals.c.jurisdiction, individuals.c.status)

credentials = Table(
    "credentials",
    metadata,
    Column("individual_id", String(40), ForeignKey("individuals.id"), primary_key=True),
    Column("password_hash", String(400)),
    Column("totp_secret_enc", LargeBinary),
    Column("totp_pending_enc", LargeBinary),
    Column("totp_enrolled_at", DateTime(timezone=True)),
    Column("last_totp_step", BigInteger),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    Column("must_reset", Boolean, nullable=False, server_default=text("false")),
    Column("tokens_valid_after", DateTime(timezone=True)),
    Column("last_token_iat", DateTime(timezone=True)),
    Column("password_changed_at", DateTime(timezone=True)),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("individual_id", String(40), ForeignKey("individuals.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("content", LargeBinary, nullable=False),
    Column("original_filename", String(200)),
    Column("renewal_id", String(40)),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

id_renewals = Table(
    "id_renewals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("individual_id", String(40), ForeignKey("individuals.id"), nullable=False, index=True),
    Column("id_type", String(40), nullable=False),
    Column("id_number_enc", LargeBinary, nullable=False),
    Column("id_number_masked", String(80), nullable=False),
    Column("id_issuer", String(200), nullable=False),
    Column("id_expires_on", Date, nullable=False),
    Column("document_key", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(200)),
    Column("reason", Text),
)

flags = Table(
    "flags",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("individual_id", String(40)),
    Column("details", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", String(200)),
    Column("resolution", Text),
)
Index("ix_flags_open", flags.c.jurisdiction, flags.c.created_at, postgresql_where=flags.c.resolved_at.is_(None))

role_grants = Table(
    "role_grants",
    metadata,
    Column("individual_id", String(40), ForeignKey("individuals.id"), primary_key=True),
    Column("role", String(60), primary_key=True),
    Column("jurisdiction", String(8), primary_key=True),
    Column("granted_by", String(200), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("individual_id", String(40), ForeignKey("individuals.id"), nullable=False),
    Column("client_id", String(100), nullable=False),
    Column("auth_time", DateTime(timezone=True), nullable=False),
    Column("amr", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", String(100)),
    Column("ip", String(64)),
    Column("user_agent", String(400)),
)
Index("ix_sessions_open", sessions.c.individual_id, postgresql_where=sessions.c.ended_at.is_(None))

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("session_id", String(40), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("individual_id", String(40), nullable=False),
    Column("client_id", String(100), nullable=False),
    Column("scope", Text, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("replaced_by", String(40)),
)

authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("client_id", String(100), nullable=False),
    Column("individual_id", String(40), nullable=False),
    Column("redirect_uri", Text),
    Column("scope", Text, nullable=False),
    Column("code_challenge", String(200)),
    Column("code_challenge_method", String(10)),
    Column("auth_time", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # first_party, machine
    Column("secret_hash", String(64)),
    Column("auth_method", String(40), nullable=False),
    Column("grant_types", JSONB, nullable=False),
    Column("scopes", JSONB, nullable=False),
    Column("redirect_uris", JSONB, nullable=False),
    Column("jurisdiction", String(8)),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("tokens_valid_after", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("alg", String(10), nullable=False),
    Column("private_jwk_enc", LargeBinary, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("signs_from", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
)

tickets = Table(
    "credential_tickets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("individual_id", String(40), ForeignKey("individuals.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(20), nullable=False),  # reset, enrolment
    Column("issued_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("pending_password_hash", String(400)),
    Column("used_at", DateTime(timezone=True)),
)

representatives = Table(
    "representatives",
    metadata,
    Column("account_number", String(60), primary_key=True),
    Column("individual_id", String(40), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("entity_id", String(60), index=True),
    Column("jurisdiction", String(8), nullable=False),
)

known_accounts = Table(
    "known_accounts",
    metadata,
    Column("account_number", String(60), primary_key=True),
    Column("entity_id", String(60), index=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(40), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(60), nullable=False, index=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("reported_by", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("individual_ids", JSONB, nullable=False),
    Column("revoked_before", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False),
)
