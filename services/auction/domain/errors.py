"""Refusals of the auction service, each with a stable code (never rename one; docs/auction.md lists them).

The clearing engine has its own errors (clearing_errors.py); the application layer maps them.
"""

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

__all__ = ["Conflict", "DomainError", "Forbidden", "InvalidInput", "NotFound"]


# ---- the notice (§95912(c)) --------------------------------------------------------------------

class NoticeTooLate(DomainError):
    """The notice must be published at least 60 days before the auction (§95912(c))."""

    code = "notice_too_late"


class NoticeIncomplete(InvalidInput):
    """The notice lacks an item §95912(c)(1)-(8) requires."""

    code = "notice_incomplete"


class InvalidBiddingWindow(InvalidInput):
    """The bidding window must open before it closes, both timezone-aware."""

    code = "invalid_bidding_window"


class UnsupportedJurisdictions(InvalidInput):
    """An auction is held by California alone or jointly by California and Québec (§95912(b))."""

    code = "unsupported_jurisdictions"


class ReservePriceNotAnnounced(Conflict):
    """No Auction Reserve Price is announced for the auction's year (§95911(c), §95912(c)(7))."""

    code = "reserve_price_not_announced"


class NoticeChangeDeadlinePassed(Conflict):
    """Linked quantities may change only until 30 days before the auction (§95912(c)(8))."""

    code = "notice_change_deadline_passed"


class NotAJointAuction(Conflict):
    """Only the quantities of a linked jurisdiction may change after the notice (§95912(c)(8))."""

    code = "not_a_joint_auction"


class InvalidExchangeRate(InvalidInput):
    """The Auction Exchange Rate is a positive CAD-per-USD rate with at most six decimals."""

    code = "invalid_exchange_rate"


class ExchangeRateNotSet(Conflict):
    """The Auction Exchange Rate is needed (joint auction or CAD bid) and has not been set."""

    code = "exchange_rate_not_set"


# ---- the auction's state -----------------------------------------------------------------------

class AuctionNotFound(NotFound):
    """No such auction."""

    code = "auction_not_found"


class AuctionCancelled(Conflict):
    """The auction bidding window was cancelled (§95912(j)(3)(E))."""

    code = "auction_cancelled"


class WrongAuctionState(Conflict):
    """The auction is not in a state that allows this."""

    code = "wrong_auction_state"


class DelayTooLong(DomainError):
    """The opening of the bidding window may be delayed by at most one hour in all (§95912(j)(1))."""

    code = "delay_too_long"


class RescheduleTooLate(DomainError):
    """A rescheduled window must let bid guarantees be used before they expire (§95912(j)(3)(A))."""

    code = "reschedule_too_late"


class BiddingWindowNotClosed(Conflict):
    """The auction can be cleared only after the bidding window has closed."""

    code = "bidding_window_not_closed"


class DecisionDeadlinePassed(Conflict):
    """Eligibility and participation are decided before the bidding window opens."""

    code = "decision_deadline_passed"


# ---- applications (§95912(d), (e)) ---------------------------------------------------------------

class ApplicationDeadlinePassed(Conflict):
    """Eligibility information and intent to bid are due 30 days before the auction (§95912(d)(4), (e))."""

    code = "application_deadline_passed"


class AuctionRescheduled(Conflict):
    """No additional applications are accepted for a rescheduled auction (§95912(j)(3)(B))."""

    code = "auction_rescheduled"


class ApplicationNotFound(NotFound):
    """No such application (or it is not visible to you)."""

    code = "application_not_found"


class ApplicationExists(Conflict):
    """This entity has already applied for this auction; amend the application instead."""

    code = "application_exists"


class EntityNotRegistered(DomainError):
    """Only an entity registered in the program may participate (§95912(d)(2))."""

    code = "entity_not_registered"


class EntityIneligible(DomainError):
    """An entity whose holding account is revoked or suspended is not eligible (§95912(d)(3))."""

    code = "entity_ineligible"


class JurisdictionNotInAuction(DomainError):
    """The entity is registered with a jurisdiction that does not take part in this auction."""

    code = "jurisdiction_not_in_auction"


class CurrencyNotAllowed(DomainError):
    """California entities bid and guarantee in USD; Québec entities in USD or CAD (§95912(h)(2), (h)(4))."""

    code = "currency_not_allowed"


class InvalidEligibilityInformation(InvalidInput):
    """The eligibility information of §95912(d)(4) is incomplete or inconsistent."""

    code = "invalid_eligibility_information"


class NotEligible(Conflict):
    """The executive officer must declare the entity eligible before approving participation (§95912(e))."""

    code = "not_eligible"


class NoIntentToBid(Conflict):
    """The entity did not state its intent to bid 30 days before the auction (§95912(e))."""

    code = "no_intent_to_bid"


class ApplicationClosed(Conflict):
    """The application was denied; it cannot change any more."""

    code = "application_closed"


class ChangeReviewPending(Conflict):
    """The entity changed its eligibility information; the executive officer must review it (§95912(d)(5))."""

    code = "eligibility_change_under_review"


class HoldingAccountUnknown(Conflict):
    """The entity has no open holding account to receive allowances (§95912(i)(4))."""

    code = "holding_account_unknown"


# ---- representatives (§95912(d)(3), (d)(6)) ----------------------------------------------------

class NotARepresentative(Forbidden):
    """Only a primary or alternate account representative of the entity may do this (§95832)."""

    code = "not_a_representative"


class RepresentativeKycIncomplete(Forbidden):
    """A representative who bids must have passed Know-Your-Customer (§95912(d)(6)(A), §95834)."""

    code = "representative_kyc_incomplete"


class RepresentativeFsaInformationMissing(Forbidden):
    """A representative who bids must have given the FSA's information (§95912(d)(6)(B))."""

    code = "representative_fsa_information_missing"


class RepresentativeIneligible(Forbidden):
    """The individual is associated with a suspended or revoked entity (§95912(d)(3))."""

    code = "representative_ineligible"


# ---- bids (§95911, §95912(g), (h)) ----------------------------------------------------------------

class BiddingWindowClosed(Conflict):
    """Bids are placed, changed or withdrawn only while the bidding window is open (§95912(g))."""

    code = "bidding_window_closed"


class BidderNotApproved(Forbidden):
    """The entity is not approved to participate in this auction (§95912(e))."""

    code = "bidder_not_approved"


class BidNotFound(NotFound):
    """No such bid (or it is not visible to you)."""

    code = "bid_not_found"


class NotWholeCents(InvalidInput):
    """Prices are in whole cents (§95911(b))."""

    code = "not_whole_cents"


class NotInLots(InvalidInput):
    """Quantities are positive multiples of the 1,000-allowance lot (§95911(b))."""

    code = "not_in_lots"


class BelowReservePrice(DomainError):
    """A bid below the Auction Reserve Price is not accepted (§95911(c))."""

    code = "below_reserve_price"


class PurchaseLimitExceeded(DomainError):
    """The bidder's bids in this pool would exceed its purchase limit (§95911(d))."""

    code = "purchase_limit_exceeded"


class HoldingLimitExceeded(DomainError):
    """The bidder's bids would exceed its holding-limit headroom (§95920, §95911(e)(3))."""

    code = "holding_limit_exceeded"


class BidGuaranteeExceeded(DomainError):
    """The maximum value of the bidder's bids would exceed its accepted bid guarantee (§95912(h)(5))."""

    code = "bid_guarantee_exceeded"


class TooManyBids(DomainError):
    """A bidder may hold at most a configured number of bids per pool."""

    code = "too_many_bids"


# ---- clearing and results (§95912(i)) ------------------------------------------------------------

class AlreadyCleared(Conflict):
    """The auction has been cleared already; the stored result is final."""

    code = "already_cleared"


class ClearingInputRejected(DomainError):
    """The clearing engine refused the assembled input; details name the engine's code."""

    code = "clearing_input_rejected"


class NotCleared(Conflict):
    """The auction has not been cleared yet."""

    code = "not_cleared"


class AlreadyCertified(Conflict):
    """The executive officer has already decided on certification (§95912(i)(1))."""

    code = "already_certified"


class ResultsNotPublished(NotFound):
    """The results are published after certification (§95912(i)(6))."""

    code = "results_not_published"


class NoticeOfResultsNotFound(NotFound):
    """No notice of results for this entity (or it is not visible to you)."""

    code = "winner_notice_not_found"
