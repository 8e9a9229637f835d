"""Refusals of the registry service, each with a stable code (documented in docs/registry.md).

The ledger refusals double as the `code` of MoveRefused / ReservationRefused answers on the bus.
"""

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

__all__ = [
    "AccountNotOpen",
    "AssociationSplitInvalid",
    "BudgetNotConfigured",
    "ComplianceAccountOneWay",
    "Conflict",
    "DomainError",
    "EntityAlreadyRegistered",
    "EntityNotApproved",
    "Forbidden",
    "HoldingLimitExceeded",
    "InsufficientHoldings",
    "InvalidAccountNumber",
    "InvalidInput",
    "InvalidQuantity",
    "InvalidState",
    "JurisdictionNotLinked",
    "LimitedUseConsignmentOnly",
    "NotFound",
    "RegistrationBarred",
    "RepresentativeNotEligible",
    "RepresentativeSetInvalid",
    "ReservationMismatch",
    "ReservationNotActive",
    "ReservationNotFound",
    "RetiredInstrumentsAreFinal",
    "SameAccount",
    "SellWindowClosed",
    "SerialsAlreadyRecorded",
    "TransfersProhibited",
    "UnknownAccount",
]


class InvalidAccountNumber(InvalidInput):
    """The account number is malformed or its check digits are wrong (ISO 7064 MOD 97-10)."""

    code = "invalid_account_number"


class UnknownAccount(NotFound):
    """No such account."""

    code = "account_not_found"


class InvalidQuantity(InvalidInput):
    """Quantities are whole, positive numbers of instruments."""

    code = "invalid_quantity"


class InvalidState(Conflict):
    """The object is not in a state that allows this action."""

    code = "invalid_state"


class SameAccount(InvalidInput):
    """Source and destination are the same account."""

    code = "same_account"


class AccountNotOpen(DomainError):
    """The account cannot send or receive instruments in its current status."""

    code = "account_not_open"


class InsufficientHoldings(DomainError):
    """The account does not hold enough free (unreserved) instruments of that kind."""

    code = "insufficient_holdings"


class JurisdictionNotLinked(DomainError):
    """Nova Scotia instruments never move to or from a California/Québec account, and vice versa."""

    code = "jurisdiction_not_linked"


class ComplianceAccountOneWay(DomainError):
    """Instruments in a compliance account only leave it for surrender or retirement."""

    code = "compliance_account_is_one_way"


class RetiredInstrumentsAreFinal(DomainError):
    """Retired instruments never leave the retirement account."""

    code = "retired_instruments_are_final"


class LimitedUseConsignmentOnly(DomainError):
    """A limited use holding account only consigns to the auction holding account."""

    code = "limited_use_holding_consignment_only"


class TransfersProhibited(DomainError):
    """The Executive Officer limited or prohibited transfers of this entity (§95921(g)(4))."""

    code = "transfers_prohibited"


class SellWindowClosed(DomainError):
    """The 30-day window to sell or retire after suspension or revocation is over (§95921(g)(3))."""

    code = "sell_window_closed"


class HoldingLimitExceeded(DomainError):
    """The move would put the destination entity (or its direct corporate association) over its
    holding limit (§95920(b)(4))."""

    code = "holding_limit_exceeded"


class BudgetNotConfigured(DomainError):
    """No annual allowance budget is configured for that jurisdiction and year (§95920)."""

    code = "budget_not_configured"


class ReservationNotFound(NotFound):
    """No such reservation."""

    code = "reservation_not_found"


class ReservationNotActive(Conflict):
    """The reservation was already released or consumed by a move."""

    code = "reservation_not_active"


class ReservationMismatch(DomainError):
    """The move does not match its reservation (account, instrument or quantity)."""

    code = "reservation_mismatch"


class SerialsAlreadyRecorded(Conflict):
    """Some of these serial numbers are already recorded in this registry."""

    code = "serials_already_recorded"


class EntityAlreadyRegistered(Conflict):
    """An entity holds one set of accounts (§95830): this taxpayer id is already registered."""

    code = "entity_already_registered"


class RegistrationBarred(Forbidden):
    """A suspended or revoked entity may not register for another set of accounts (§95921(g)(3)(A))."""

    code = "registration_barred"


class EntityNotApproved(DomainError):
    """The entity's registration is not approved."""

    code = "entity_not_approved"


class RepresentativeSetInvalid(InvalidInput):
    """Exactly one primary and one to four alternate account representatives (§95832)."""

    code = "representative_set_invalid"


class RepresentativeNotEligible(DomainError):
    """Only individuals whose KYC review was approved may be representatives (§95834)."""

    code = "representative_not_eligible"


class AssociationSplitInvalid(InvalidInput):
    """The split must name every member of the direct corporate association and sum to 100 %."""

    code = "association_split_invalid"
