"""Refusals of the transfers service, each with a stable code (documented in docs/transfers.md)."""

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

__all__ = [
    "AcceptanceWindowClosed",
    "AccountUnknown",
    "ActionOutOfOrder",
    "ClearingBlockActive",
    "ConcurrentModification",
    "ConfirmationWindowClosed",
    "Conflict",
    "CorrectionWindowClosed",
    "DeficiencyCorrected",
    "DeficiencyOpen",
    "DocumentTooLarge",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotARepresentative",
    "NotExecutiveOfficer",
    "NotFound",
    "ReversalNotYetAllowed",
    "SameIndividualTwice",
    "TransferNotFound",
    "TransferRequestInvalid",
    "TransfersRestricted",
]


class TransferNotFound(NotFound):
    """No such transfer (or it is not visible to you)."""

    code = "transfer_not_found"


class AccountUnknown(InvalidInput):
    """The account is not known to the transfers service (yet): check the account number."""

    code = "account_unknown"


class TransferRequestInvalid(InvalidInput):
    """The transfer request is incomplete or inconsistent; every problem is listed in details.problems."""

    code = "transfer_request_invalid"


class NotARepresentative(Forbidden):
    """Only the primary or an alternate account representative of the account may do this."""

    code = "not_an_account_representative"


class NotExecutiveOfficer(Forbidden):
    """Only the Executive Officer of the source entity's jurisdiction may do this."""

    code = "not_executive_officer"


class SameIndividualTwice(Forbidden):
    """One individual may perform only one step of a transfer (CITSS: proposal, approval, acceptance)."""

    code = "same_individual_twice"


class ActionOutOfOrder(Conflict):
    """The transfer is not in a state where this step is possible."""

    code = "transfer_state_conflict"


class ConcurrentModification(Conflict):
    """Somebody else changed this transfer first; reload and retry."""

    code = "concurrent_modification"


class ConfirmationWindowClosed(Conflict):
    """§95921(a)(1)(B): the source confirmation had to come within two days of submission."""

    code = "confirmation_window_closed"


class AcceptanceWindowClosed(Conflict):
    """§95921(a)(1)(C): the destination had to confirm within three days of submission."""

    code = "acceptance_window_closed"


class CorrectionWindowClosed(Conflict):
    """§95921(i)(1)(C): the corrected request had to come within the time limit."""

    code = "correction_window_closed"


class TransfersRestricted(Conflict):
    """§95921(g)(4): the Executive Officer has limited or prohibited transfers of this entity."""

    code = "transfers_restricted"


class ClearingBlockActive(Conflict):
    """§95921(d)(4): transfers to other entities are blocked until the Executive Officer has investigated."""

    code = "transfers_blocked_pending_investigation"


class DeficiencyOpen(Conflict):
    """§95921(i)(1): the request has an open deficiency; correct and resubmit, or withdraw."""

    code = "deficiency_open"


class DeficiencyCorrected(Conflict):
    """§95921(i)(2)(D): the deficiency was corrected in time; the transfer is not reversed."""

    code = "deficiency_corrected"


class ReversalNotYetAllowed(Conflict):
    """§95921(i)(2)(D): the parties have five business days after notification to correct."""

    code = "reversal_not_yet_allowed"


class DocumentTooLarge(InvalidInput):
    """The document is larger than the configured maximum."""

    code = "document_too_large"
    status = 413
