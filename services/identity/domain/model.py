"""The individual and the KYC rules of §95834 (user registration); pure, no framework.

Lifecycle:  registered -> documents_submitted -> approved | denied -> active
            active <-> suspended;  any non-terminal state -> deactivated
Staff members are individuals of kind "staff": created active by other staff, no KYC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.identity.domain.errors import (
    AccountNotActive,
    BankStatementTooOld,
    DocumentWindowClosed,
    Forbidden,
    IdDocumentExpired,
    IdExpired,
    IneligibleFelonyConviction,
    InvalidInput,
    InvalidStatus,
    MissingDocuments,
)

JURISDICTIONS = ("CA", "QC", "NS")
# "a valid (future) expiry date" is judged on the calendar of the person's jurisdiction
_ZONES = {"CA": ZoneInfo("America/Los_Angeles"), "QC": ZoneInfo("America/Toronto"),
          "NS": ZoneInfo("America/Halifax")}


class Status(StrEnum):
    REGISTERED = "registered"
    DOCUMENTS_SUBMITTED = "documents_submitted"
    APPROVED = "approved"
    DENIED = "denied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


class Kind(StrEnum):
    INDIVIDUAL = "individual"
    STAFF = "staff"


class DocumentKind(StrEnum):
    GOVERNMENT_ID = "government_id"
    BANK_STATEMENT = "bank_statement"
    PROOF_OF_RESIDENCE = "proof_of_residence"


# §95834: a government-issued ID and proof of an open bank account
REQUIRED_DOCUMENTS = frozenset({DocumentKind.GOVERNMENT_ID, DocumentKind.BANK_STATEMENT})
ID_TYPES = ("passport", "drivers_licence", "national_id", "permanent_resident_card", "state_id")


@dataclass(frozen=True)
class KycPolicy:
    """The §95834 figures; the defaults are the regulation's, Settings may override them."""

    document_window_days: int = 30
    bank_statement_max_age_months: int = 3
    felony_lookback_years: int = 5


def local_date(at: datetime, jurisdiction: str) -> date:
    return at.astimezone(_ZONES.get(jurisdiction, ZoneInfo("UTC"))).date()


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    region: str
    postal_code: str
    country: str
    line2: str | None = None


@dataclass(frozen=True)
class GovernmentId:
    id_type: str
    number: str
    issuer: str
    expires_on: date


@dataclass(frozen=True)
class BankProof:
    bank_name: str
    statement_date: date


@dataclass(frozen=True)
class FelonyAttestation:
    convicted_within_lookback: bool
    last_conviction_on: date | None
    truthful: bool


@dataclass(frozen=True)
class Application:
    legal_name: str
    email: str
    phone: str
    date_of_birth: date
    jurisdiction: str
    residence: Address
    government_id: GovernmentId
    bank: BankProof
    attestation: FelonyAttestation


def check_government_id(gid: GovernmentId, today: date) -> None:
    if gid.id_type not in ID_TYPES:
        raise InvalidInput("unknown government ID type", allowed=list(ID_TYPES))
    if gid.expires_on <= today:  # §95834: a valid, future expiry date
        raise IdDocumentExpired(expires_on=gid.expires_on.isoformat())


def check_application(app: Application, today: date, policy: KycPolicy) -> None:
    """The eligibility rules of §95834 checked on the registration request itself."""
    if app.jurisdiction not in JURISDICTIONS:
        raise InvalidInput("unknown jurisdiction", allowed=list(JURISDICTIONS))
    if app.date_of_birth >= today or add_years(app.date_of_birth, 18) > today:
        raise InvalidInput("an individual user must be an adult")
    check_government_id(app.government_id, today)
    check_bank_statement(app.bank.statement_date, today, policy)
    check_attestation(app.attestation, today, policy)


def check_bank_statement(statement_date: date, today: date, policy: KycPolicy) -> None:
    # §95834: proof of an open bank account, statement at most 3 months old
    if statement_date > today:
        raise InvalidInput("the bank statement date is in the future")
    if add_months(statement_date, policy.bank_statement_max_age_months) < today:
        raise BankStatementTooOld(statement_date=statement_date.isoformat(),
                                  max_age_months=policy.bank_statement_max_age_months)


def check_attestation(att: FelonyAttestation, today: date, policy: KycPolicy) -> None:
    if not att.truthful:
        raise InvalidInput("the registrant must attest that the information is true")
    # §95834: a felony conviction in the last 5 years makes the person ineligible
    last = att.last_conviction_on
    recent = last is not None and add_years(last, policy.felony_lookback_years) > today
    if att.convicted_within_lookback or recent:
        raise IneligibleFelonyConviction(lookback_years=policy.felony_lookback_years)


def document_deadline(registered_at: datetime, policy: KycPolicy) -> datetime:
    return registered_at + timedelta(days=policy.document_window_days)


@dataclass
class Individual:
    id: str
    kind: Kind
    status: Status
    jurisdiction: str
    legal_name: str
    email: str
    registered_at: datetime
    id_expires_on: date | None = None
    documents_submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    status_reason: str | None = None
    activated_at: datetime | None = None
    version: int = 0
    changes: list[str] = field(default_factory=list)

    # -- KYC -------------------------------------------------------------------------------
    def ensure_document_window_open(self, at: datetime, policy: KycPolicy) -> None:
        if self.status not in (Status.REGISTERED, Status.DOCUMENTS_SUBMITTED):
            raise InvalidStatus("documents are accepted only before the review", status=self.status)
        deadline = document_deadline(self.registered_at, policy)
        if at > deadline:  # §95834: documents within 30 days of the registration request
            raise DocumentWindowClosed(deadline=deadline.isoformat())

    def submit_documents(self, kinds_present: set[str], at: datetime, policy: KycPolicy) -> None:
        self.ensure_document_window_open(at, policy)
        if self.status is not Status.REGISTERED:
            raise InvalidStatus("documents were already submitted", status=self.status)
        missing = sorted(k.value for k in REQUIRED_DOCUMENTS if k.value not in kinds_present)
        if missing:
            raise MissingDocuments(missing=missing)
        self._become(Status.DOCUMENTS_SUBMITTED)
        self.documents_submitted_at = at

    def approve(self, by: str, at: datetime) -> None:
        self._decide(by, at)
        if self.id_expires_on is None or self.id_expires_on <= local_date(at, self.jurisdiction):
            raise IdDocumentExpired("the ID on file has expired: the registrant must renew it first")
        self._become(Status.APPROVED)

    def deny(self, by: str, reason: str, at: datetime) -> None:
        self._decide(by, at)
        if not reason.strip():
            raise InvalidInput("a denial needs a reason")
        self._become(Status.DENIED)
        self.status_reason = reason

    def _decide(self, by: str, at: datetime) -> None:
        if self.status is not Status.DOCUMENTS_SUBMITTED:
            raise InvalidStatus("only submitted registrations can be decided", status=self.status)
        if by == self.id:
            raise Forbidden("a registrar cannot decide their own registration")
        self.decided_at, self.decided_by = at, by

    def activate(self, at: datetime) -> None:
        if self.status is not Status.APPROVED:
            raise InvalidStatus("only an approved registration can be activated", status=self.status)
        self._become(Status.ACTIVE)
        self.activated_at = at

    # -- later life ---------------------------------------------------------------------------
    def suspend(self, reason: str) -> None:
        if self.status is not Status.ACTIVE:
            raise InvalidStatus("only an active individual can be suspended", status=self.status)
        self._become(Status.SUSPENDED)
        self.status_reason = reason

    def reinstate(self) -> None:
        if self.status is not Status.SUSPENDED:
            raise InvalidStatus("only a suspended individual can be reinstated", status=self.status)
        self._become(Status.ACTIVE)
        self.status_reason = None

    def deactivate(self, reason: str) -> None:
        if self.status is Status.DEACTIVATED:
            raise InvalidStatus("already deactivated", status=self.status)
        self._become(Status.DEACTIVATED)
        self.status_reason = reason

    def renew_id(self, expires_on: date, at: datetime) -> None:
        if self.status in (Status.DENIED, Status.DEACTIVATED):
            raise InvalidStatus("this registration is closed", status=self.status)
        if expires_on <= local_date(at, self.jurisdiction):
            raise IdDocumentExpired(expires_on=expires_on.isoformat())
        self.id_expires_on = expires_on
        self.changes.append("id_renewed")

    def ensure_may_sign_in(self, at: datetime, *, allow_expired_id: bool = False) -> None:
        """Checked at every token issuance: login, refresh, step-up."""
        if self.status is not Status.ACTIVE:
            raise AccountNotActive(status=self.status)
        if self.kind is Kind.INDIVIDUAL and self.id_expired(at) and not allow_expired_id:
            # §95834: a valid government-issued ID; an expired one makes the person inactive
            raise IdExpired(expired_on=self.id_expires_on.isoformat() if self.id_expires_on else None)

    def id_expired(self, at: datetime) -> bool:
        return self.id_expires_on is not None and self.id_expires_on <= local_date(at, self.jurisdiction)

    def _become(self, status: Status) -> None:
        self.status = status
        self.changes.append(status.value)
