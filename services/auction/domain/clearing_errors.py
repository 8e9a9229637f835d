"""Errors of the auction clearing engine, each with a stable `code`.

The codes are part of the public contract (the CLI prints `CODE: message` on stderr and the
HTTP edge may map them): never rename one. The message names the offending field by its path
in the input, e.g. ``bids[3].price``.
"""

from __future__ import annotations

from typing import ClassVar


class ClearingError(Exception):
    """A refusal to clear an auction; `code` is stable and documented in docs/auction-clearing.md."""

    code: ClassVar[str] = "clearing_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidClearingInput(ClearingError):
    """The input is malformed: a field is missing, of the wrong type or out of range."""

    code = "invalid_input"


class NotWholeCents(InvalidClearingInput):
    """A price or amount is not a whole number of cents (§95911(b): prices in whole cents)."""

    code = "not_whole_cents"


class NotInLots(InvalidClearingInput):
    """A bid quantity is not a positive multiple of the 1,000-allowance lot (§95911(b))."""

    code = "not_in_lots"


class CurrencyNotAllowed(InvalidClearingInput):
    """A bidder uses a currency its jurisdiction does not allow (§95912(h)(2), (h)(4))."""

    code = "currency_not_allowed"


class UnknownBidder(InvalidClearingInput):
    """A bid names a bidder that is not in the bidders list."""

    code = "unknown_bidder"


class DuplicateBidder(InvalidClearingInput):
    """Two bidders share one id."""

    code = "duplicate_bidder"


class UnknownJurisdiction(InvalidClearingInput):
    """A jurisdiction code is not one of the joint auction's jurisdictions."""

    code = "unknown_jurisdiction"
