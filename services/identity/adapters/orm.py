"""Tables of the identity database. No other service reads them."""

from sqlalchemy import Column, DateTime, String, Table

from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables

metadata = new_metadata()
infrastructure = add_infrastructure_tables(metadata)

individuals = Table(
    "individuals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("legal_name", String(300), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("jurisdiction", String(8), nullable=False),
    Column("status", String(40), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)
