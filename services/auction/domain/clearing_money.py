"""Exact money arithmetic for clearing: whole cents as integers, conversions with stated rounding.

Inside the engine every amount is an ``int`` number of cents; ``Decimal`` is used at the edges
(input and result types). Currency conversions are computed exactly with ``Fraction`` and rounded
once, so no intermediate precision can flip a half-cent.

Rounding rules (documented in docs/auction-clearing.md):

* a CAD price or cost converted to USD or back: round half up to the cent (§95911, evaluation in
  USD; a CAD bidder's cost is the USD cost converted);
* a CAD bid guarantee converted to USD for screening: round DOWN to the cent, so that a bidder is
  never accepted for more than its guarantee covers (§95912(h)(5)).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor

_HALF = Fraction(1, 2)


def is_whole_cents(amount: Decimal) -> bool:
    """True when `amount` is a finite number with no fraction of a cent (20, 20.5, 20.50 are)."""
    if not amount.is_finite():
        return False
    scaled = amount.scaleb(2)
    return scaled == scaled.to_integral_value()


def to_cents(amount: Decimal) -> int:
    """Whole-cent `amount` as an integer number of cents; the caller has checked is_whole_cents."""
    return int(amount.scaleb(2))


def from_cents(cents: int) -> Decimal:
    """An integer number of cents as a two-place Decimal: 2000 -> Decimal('20.00')."""
    return Decimal(cents).scaleb(-2)


@lru_cache(maxsize=65_536)
def price_from_cents(cents: int) -> Decimal:
    """from_cents, memoised: a pool has few distinct prices and Decimals are immutable."""
    return from_cents(cents)


def cad_to_usd_cents(cad_cents: int, cad_per_usd: Decimal) -> int:
    """CAD cents -> USD cents at the Auction Exchange Rate, rounded half up to the cent."""
    return floor(Fraction(cad_cents) / Fraction(cad_per_usd) + _HALF)


def cad_to_usd_cents_floor(cad_cents: int, cad_per_usd: Decimal) -> int:
    """CAD cents -> USD cents, rounded down: used for bid guarantees, a ceiling on bid value."""
    return floor(Fraction(cad_cents) / Fraction(cad_per_usd))


def usd_to_cad_cents(usd_cents: int, cad_per_usd: Decimal) -> int:
    """USD cents -> CAD cents at the Auction Exchange Rate, rounded half up to the cent."""
    return floor(Fraction(usd_cents) * Fraction(cad_per_usd) + _HALF)
