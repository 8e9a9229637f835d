"""Infrastructure tables every service database has: outbox, inbox, audit log, revocations.

Each service calls `add_infrastructure_tables(metadata)` on its own MetaData so the tables are
created by that service's Alembic migrations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID


@dataclass(frozen=True)
class InfrastructureTables:
    outbox: Table
    inbox: Table
    audit_log: Table
    revoked_credentials: Table


def add_infrastructure_tables(metadata: MetaData) -> InfrastructureTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("publish_epoch", String(64)),
        Column("partition", Integer),
        Column("offset", BigInteger),
        Column("confirmed_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
    )
    Index("ix_outbox_pending", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))
    Index(
        "ix_outbox_unconfirmed",
        outbox.c.topic,
        outbox.c.partition,
        outbox.c.offset,
        postgresql_where=outbox.c.confirmed_at.is_(None),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("credential", String(200)),
        Column("action", String(200), nullable=False),
        Column("subject", String(200)),
        Column("details", JSONB, nullable=False),
        Column("ip", String(64)),
        Column("user_agent", String(400)),
        Column("correlation_id", String(100)),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("hash", name="uq_audit_log_hash"),
    )
    revoked = Table(
        "revoked_credentials",
        metadata,
        Column("subject", String(200), primary_key=True),
        Column("revoked_before", DateTime(timezone=True), nullable=False),
        Column("reason", Text),
    )
    return InfrastructureTables(outbox=outbox, inbox=inbox, audit_log=audit_log, revoked_credentials=revoked)
