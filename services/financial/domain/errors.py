"""Refusals of the financial service, each with a stable code (never rename one; docs/financial.md lists them)."""

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

__all__ = ["Conflict", "DomainError", "Forbidden", "InvalidInput", "NotFound"]


# ---- money ---------------------------------------------------------------------------------------

class InvalidAmount(InvalidInput):
    """Amounts are finite decimal numbers of whole cents, never negative."""

    code = "invalid_amount"


class CurrencyMismatch(InvalidInput):
    """The amount is not in the currency this needs."""

    code = "currency_mismatch"


# ---- auctions and bidders ------------------------------------------------------------------------

class AuctionNotFound(NotFound):
    """No such auction is known to the financial services administrator."""

    code = "auction_not_found"


class BidderNotApproved(Conflict):
    """The entity is not approved to participate in this auction (§95912(e))."""

    code = "bidder_not_approved"


class AuctionCancelled(Conflict):
    """The auction was cancelled (§95912(j)(3)(E)) or not certified (§95912(i)(1)); guarantees go back."""

    code = "auction_cancelled"


class AuctionNotCertified(Conflict):
    """The auction's results have not been certified yet (§95912(i))."""

    code = "auction_not_certified"


# ---- bid guarantees (§95912(h)) ------------------------------------------------------------------

class GuaranteeNotFound(NotFound):
    """No such bid guarantee (or it is not visible to you)."""

    code = "guarantee_not_found"


class GuaranteeDeadlinePassed(Conflict):
    """A bid guarantee is due at least 12 days before the auction (§95912(h))."""

    code = "guarantee_deadline_passed"


class GuaranteeCurrencyNotAllowed(DomainError):
    """A guarantee is in the currency of the bidder's jurisdiction and of its bids (§95912(h)(2), (h)(4))."""

    code = "guarantee_currency_not_allowed"


class GuaranteeExpiryRequired(InvalidInput):
    """A letter of credit or a bond needs an expiry date (§95912(h)(7))."""

    code = "guarantee_expiry_required"


class GuaranteeExpiresTooSoon(DomainError):
    """A bid guarantee expires no sooner than 26 days after the auction (§95912(h)(7))."""

    code = "guarantee_expires_too_soon"


class GuaranteeAmendmentProhibited(Conflict):
    """No bid guarantee may be amended or added for a rescheduled bidding window (§95912(j)(3)(B), (D))."""

    code = "guarantee_amendment_prohibited"


class GuaranteeStateConflict(Conflict):
    """The bid guarantee is not in a state that allows this."""

    code = "guarantee_state_conflict"


class SameIndividual(Forbidden):
    """The executive officer who accepts a guarantee must not be the individual who evaluated it."""

    code = "same_individual"


class MultiAuctionNotAgreed(Conflict):
    """A guarantee is held for another auction only by agreement of the FSA and the bidder (§95912(i)(3)(G))."""

    code = "multi_auction_not_agreed"


class CashGuaranteeNotKept(Conflict):
    """Only a guarantee in a form other than cash may be held for several auctions (§95912(i)(3)(G))."""

    code = "cash_guarantee_not_kept"


# ---- settlement (§95912(i)) ----------------------------------------------------------------------

class InvoiceNotFound(NotFound):
    """No such invoice (or it is not visible to you)."""

    code = "invoice_not_found"


class DuplicatePayment(Conflict):
    """A payment with this wire reference is already recorded."""

    code = "duplicate_payment"


class DeliveryNotFound(NotFound):
    """No such allowance delivery."""

    code = "delivery_not_found"


class DeliveryNotRefused(Conflict):
    """Only a delivery the registry refused can be requested again."""

    code = "delivery_not_refused"


class DistributionShortfall(Conflict):
    """What was received does not cover the consignors' and partner jurisdictions' proceeds (§95912(i)(3))."""

    code = "distribution_shortfall"


# ---- representatives -----------------------------------------------------------------------------

class NotARepresentative(Forbidden):
    """Only a primary or alternate account representative of the entity, or the FSA, may do this (§95832)."""

    code = "not_a_representative"


# ---- invariants: programming errors, never a user's fault (a 500 is right) ----------------------

class LedgerInvariantViolated(Exception):
    """A ledger transaction did not balance, or an amount was not whole cents."""
