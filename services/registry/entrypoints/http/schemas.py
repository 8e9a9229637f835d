"""Request and response bodies of the registry API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.domain.accounts import TransferRestriction
from services.registry.domain.entities import EntityType, IndiciumKind

Jurisdiction = Field(pattern=r"^[A-Z]{2}$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIn(_In):
    kind: Literal["physical", "mailing"] = "physical"
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class PersonIn(_In):
    name: str = Field(min_length=2, max_length=300)
    title: str = Field(min_length=1, max_length=200)


class RepresentativesIn(_In):
    primary: str = Field(min_length=1, max_length=40)
    alternates: list[str] = Field(min_length=1, max_length=4)
    viewing_agents: list[str] = Field(default_factory=list, max_length=10)


class IndiciumIn(_In):
    kind: IndiciumKind
    percent: Decimal = Field(ge=0, le=100)


class AssociationIn(_In):
    associate_entity_id: str = Field(min_length=1, max_length=40)
    indicia: list[IndiciumIn] = Field(min_length=1)


class EntityApplicationIn(_In):
    legal_name: str = Field(min_length=2, max_length=300)
    entity_type: EntityType
    jurisdiction: str = Jurisdiction
    taxpayer_id: str = Field(min_length=2, max_length=40)
    addresses: list[AddressIn] = Field(min_length=1)
    directors_officers: list[PersonIn] = Field(default_factory=list)
    representatives: RepresentativesIn
    associations: list[AssociationIn] = Field(default_factory=list)


class DecisionIn(_In):
    reason: str | None = Field(default=None, max_length=2000)


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class AssociationsIn(_In):
    associations: list[AssociationIn]


class ShareIn(_In):
    entity_id: str
    holding_limit_share: Decimal = Field(ge=0, le=1)
    purchase_limit_share: Decimal = Field(ge=0, le=1)


class AssociationSplitIn(_In):
    shares: list[ShareIn] = Field(min_length=2)


class RestrictionIn(_In):
    transfers: TransferRestriction = TransferRestriction.NONE
    holding_limit: int | None = Field(default=None, ge=0)
    reason: str = Field(min_length=1, max_length=2000)


class ExemptionIn(_In):
    quantity: int | None = Field(default=None, ge=0)


class RepresentativeChangeIn(RepresentativesIn):
    account_numbers: list[str] | None = None


class InstrumentIn(_In):
    instrument_type: Literal["allowance", "offset"]
    jurisdiction: str = Jurisdiction
    vintage: int | None = Field(default=None, ge=2000, le=2100)


class IssuanceIn(_In):
    jurisdiction: str = Jurisdiction
    instrument_type: Literal["allowance", "offset"]
    vintage: int | None = Field(default=None, ge=2000, le=2100)
    quantity: int = Field(gt=0, le=10**12)
    account_number: str | None = None


class MoveIn(_In):
    request_id: str | None = Field(default=None, min_length=1, max_length=100)
    source_account: str
    destination_account: str
    instrument: InstrumentIn
    quantity: int = Field(gt=0, le=10**12)
    reason: str = Field(default="executive_officer_transfer", min_length=1, max_length=60)
    check_holding_limit: bool = True
    reference: str | None = Field(default=None, max_length=200)


class RetirementIn(_In):
    request_id: str | None = Field(default=None, min_length=1, max_length=100)
    account_number: str
    instrument: InstrumentIn
    quantity: int = Field(gt=0, le=10**12)
    reason: Literal["surrender", "voluntary_retirement"]


class SerialRangeIn(_In):
    instrument_type: Literal["allowance", "offset"]
    jurisdiction: str = Jurisdiction
    vintage: int | None = Field(default=None, ge=2000, le=2100)
    first_serial: int = Field(ge=1)
    last_serial: int = Field(ge=1)


class InboundTransferIn(_In):
    external_transfer_id: str = Field(min_length=1, max_length=100)
    destination_account: str
    serials: list[SerialRangeIn] = Field(min_length=1, max_length=1000)


class SerialRangeOut(BaseModel):
    instrument_type: str
    jurisdiction: str
    vintage: int | None
    first_serial: int
    last_serial: int


class MovementOut(BaseModel):
    """One journal movement; the linkage feed record has this shape."""

    sequence: int
    move_id: str
    kind: str
    source_account: str | None
    destination_account: str
    quantity: int
    serials: list[SerialRangeOut]
    reason: str
    recorded_at: datetime
    request_id: str | None = None


class FeedPage(BaseModel):
    records: list[MovementOut]
    next_cursor: int  # pass as ?after= for the next page; equal to `after` when nothing is new


class HeadroomOut(BaseModel):
    entity_id: str
    jurisdiction: str
    vintage: int
    vintage_bucket: str
    budget_year: int
    annual_budget: int
    association_limit: int
    limit: int
    counted: int
    compliance_exempted: int
    headroom: int
    association: list[str]
    shared_jointly: bool


class Created(BaseModel):
    id: str
    status: str
    details: dict[str, Any] = Field(default_factory=dict)
