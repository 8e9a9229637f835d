"""Refusals of the identity service, each with a stable code (never change a code)."""

from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)

__all__ = [
    "AccountLocked",
    "AccountNotActive",
    "BankStatementTooOld",
    "Conflict",
    "CredentialResetRequired",
    "DocumentTooLarge",
    "DocumentWindowClosed",
    "DomainError",
    "DuplicatePerson",
    "EmailAlreadyRegistered",
    "Forbidden",
    "IdDocumentExpired",
    "IdExpired",
    "IneligibleFelonyConviction",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidStatus",
    "InvalidTicket",
    "MissingDocuments",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "UnsupportedDocumentType",
    "WeakPassword",
]


class DuplicatePerson(Conflict):
    """This person already holds a registration: one person, one credential (§95834)."""

    code = "duplicate_person"


class EmailAlreadyRegistered(Conflict):
    """This e-mail address is already registered."""

    code = "email_already_registered"


class IdDocumentExpired(InvalidInput):
    """The government-issued ID must have an expiry date in the future (§95834)."""

    code = "id_document_expired"


class BankStatementTooOld(InvalidInput):
    """The bank statement proving an open account must be at most 3 months old (§95834)."""

    code = "bank_statement_too_old"


class IneligibleFelonyConviction(InvalidInput):
    """A felony conviction in the last 5 years makes the person ineligible (§95834)."""

    code = "ineligible_felony_conviction"


class DocumentWindowClosed(InvalidInput):
    """Documents must arrive within 30 days of the registration request (§95834)."""

    code = "document_window_closed"


class MissingDocuments(InvalidInput):
    """The KYC documents required for review are missing (§95834)."""

    code = "missing_documents"


class UnsupportedDocumentType(InvalidInput):
    """Only PDF, PNG and JPEG documents are accepted (checked from the content, not the name)."""

    code = "unsupported_document_type"
    status = 415


class DocumentTooLarge(InvalidInput):
    """The document exceeds the maximum size."""

    code = "document_too_large"
    status = 413


class WeakPassword(InvalidInput):
    """The password does not meet the password policy."""

    code = "weak_password"


class InvalidStatus(Conflict):
    """The individual is not in a state that allows this action."""

    code = "invalid_status"


class InvalidCredentials(Unauthenticated):
    """The e-mail, password or one-time code is wrong."""

    code = "invalid_credentials"


class AccountLocked(DomainError):
    """Too many failed sign-in attempts: the account is locked for a while."""

    code = "account_locked"
    status = 423


class AccountNotActive(Forbidden):
    """The individual is not active (pending review, denied, suspended or deactivated)."""

    code = "account_not_active"


class IdExpired(Forbidden):
    """The government-issued ID on file has expired: renew it to become active again (§95834)."""

    code = "id_expired"


class CredentialResetRequired(Forbidden):
    """The credentials were reset after a possible compromise: complete the reset first."""

    code = "credential_reset_required"


class InvalidTicket(Unauthenticated):
    """The registration, reset or enrolment ticket is wrong, used or expired."""

    code = "invalid_ticket"
