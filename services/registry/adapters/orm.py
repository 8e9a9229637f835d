"""Tables of the registry database. No other service reads them."""

from sqlalchemy import Column, DateTime, String, Table

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
