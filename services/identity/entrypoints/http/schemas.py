"""Request and response bodies of the identity API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.identity.domain.model import (
    Address,
    Application,
    BankProof,
    FelonyAttestation,
    GovernmentId,
)

IdType = Literal["passport", "drivers_licence", "national_id", "permanent_resident_card", "state_id"]
Jurisdiction = Literal["CA", "QC", "NS"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(_Strict):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=2, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class GovernmentIdIn(_Strict):
    type: IdType
    number: str = Field(min_length=3, max_length=40)
    issuer: str = Field(min_length=2, max_length=200, description="issuing authority, e.g. 'California DMV'")
    expires_on: date


class BankAccountIn(_Strict):
    bank_name: str = Field(min_length=2, max_length=200)
    statement_date: date


class AttestationIn(_Strict):
    """§95834: a felony conviction in the last 5 years makes the registrant ineligible."""

    felony_conviction_within_last_5_years: bool
    last_felony_conviction_on: date | None = None
    information_is_true: bool


class RegistrationRequest(_Strict):
    legal_name: str = Field(min_length=2, max_length=300)
    email: EmailStr
    phone: str = Field(pattern=r"^\+?[0-9 ()\-]{7,20}$")
    date_of_birth: date
    jurisdiction: Jurisdiction
    residence: AddressIn
    government_id: GovernmentIdIn
    bank_account: BankAccountIn
    attestation: AttestationIn
    password: str = Field(min_length=1, max_length=256)

    def to_application(self) -> Application:
        r, g, b, a = self.residence, self.government_id, self.bank_account, self.attestation
        return Application(
            legal_name=self.legal_name, email=str(self.email), phone=self.phone, date_of_birth=self.date_of_birth,
            jurisdiction=self.jurisdiction,
            residence=Address(line1=r.line1, line2=r.line2, city=r.city, region=r.region,
                              postal_code=r.postal_code, country=r.country),
            government_id=GovernmentId(id_type=g.type, number=g.number, issuer=g.issuer, expires_on=g.expires_on),
            bank=BankProof(bank_name=b.bank_name, statement_date=b.statement_date),
            attestation=FelonyAttestation(convicted_within_lookback=a.felony_conviction_within_last_5_years,
                                          last_conviction_on=a.last_felony_conviction_on,
                                          truthful=a.information_is_true),
        )


class RegistrationResponse(BaseModel):
    individual_id: str
    status: str
    registration_token: str = Field(description="shown once; needed to upload documents and to activate")
    documents_due_by: datetime
    required_documents: list[str]


class StatusResponse(BaseModel):
    individual_id: str
    status: str
    status_reason: str | None = None


class Password(_Strict):
    password: str = Field(min_length=1, max_length=256)


class Code(_Strict):
    totp: str = Field(pattern=r"^\d{6}$")


class TotpEnrolment(BaseModel):
    totp_secret: str
    otpauth_uri: str


class Reason(_Strict):
    reason: str = Field(min_length=3, max_length=2000)


class Resolution(_Strict):
    resolution: str = Field(min_length=3, max_length=2000)


class ResetStart(_Strict):
    email: EmailStr
    ticket: str = Field(min_length=10, max_length=200)
    new_password: str = Field(min_length=1, max_length=256)


class ResetConfirm(_Strict):
    email: EmailStr
    ticket: str = Field(min_length=10, max_length=200)
    totp: str = Field(pattern=r"^\d{6}$")


class IncidentIn(_Strict):
    entity_id: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=3, max_length=4000)


class StaffIn(_Strict):
    email: EmailStr
    legal_name: str = Field(min_length=2, max_length=300)
    jurisdiction: Jurisdiction
    roles: list[str] = Field(min_length=1, description='e.g. ["registrar:CA"]')


class RoleIn(_Strict):
    role: str
    jurisdiction: Jurisdiction


class ClientIn(_Strict):
    client_id: str = Field(min_length=3, max_length=63)
    name: str = Field(min_length=2, max_length=200)
    scopes: list[str] = Field(default_factory=list)
    jurisdiction: Jurisdiction


class RotateIn(_Strict):
    lead_seconds: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
