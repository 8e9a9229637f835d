"""Money: a Decimal number of whole cents with a currency. Never a float.

Conversions between CAD and USD use the Auction Exchange Rate (CAD per USD) and are computed
exactly with ``Fraction``, rounded once, half up to the cent (DOMAIN.md "Auctions": a CAD
bidder's cost is the USD price × quantity, then converted).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from math import floor

from services.financial.domain.errors import CurrencyMismatch, InvalidAmount


class Currency(StrEnum):
    USD = "USD"
    CAD = "CAD"


# Numeric(18, 2): sixteen digits before the point
MAX_AMOUNT = Decimal("9999999999999999.99")
_HALF = Fraction(1, 2)


def parse_amount(value: str | Decimal | int, *, name: str = "amount") -> Decimal:
    """A finite, non-negative amount in whole cents, as a two-place Decimal; else InvalidAmount."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{name} is not a decimal number", field=name) from exc
    if not amount.is_finite():
        raise InvalidAmount(f"{name} must be a finite number", field=name)
    scaled = amount.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{name} must be in whole cents", field=name)
    if amount < 0 or amount > MAX_AMOUNT:
        raise InvalidAmount(f"{name} must be between 0 and {MAX_AMOUNT}", field=name)
    return amount.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise InvalidAmount("money needs a finite Decimal amount")
        scaled = self.amount.scaleb(2)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount("money is in whole cents", amount=str(self.amount))
        object.__setattr__(self, "amount", self.amount.quantize(Decimal("0.01")))
        object.__setattr__(self, "currency", Currency(self.currency))

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        return cls(Decimal("0.00"), Currency(currency))

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: Currency | str) -> Money:
        return cls(Decimal(str(amount)) if not isinstance(amount, Decimal) else amount, Currency(currency))

    @classmethod
    def from_cents(cls, cents: int, currency: Currency | str) -> Money:
        return cls(Decimal(cents).scaleb(-2), Currency(currency))

    @property
    def cents(self) -> int:
        return int(self.amount.scaleb(2))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} and {other.currency}",
                expected=str(self.currency), got=str(other.currency),
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def convert_cents(cents: int, source: Currency | str, target: Currency | str, cad_per_usd: Decimal) -> int:
    """`cents` of `source` in `target` at the Auction Exchange Rate, rounded half up to the cent."""
    source, target = Currency(source), Currency(target)
    if source == target:
        return cents
    rate = Fraction(cad_per_usd)
    if rate <= 0:
        raise InvalidAmount("the exchange rate must be positive", rate=str(cad_per_usd))
    exact = Fraction(cents) * rate if source == Currency.USD else Fraction(cents) / rate
    return floor(exact + _HALF)
