"""Validation of the auction terms, the bidders and the offers, with the path of the bad field.

Bids are validated while they are grouped (clearing_screening.build_books), in one pass.
The upper bounds below are sanity limits on input, not regulatory figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from services.auction.domain.clearing_errors import (
    CurrencyNotAllowed,
    DuplicateBidder,
    InvalidClearingInput,
    NotWholeCents,
    UnknownJurisdiction,
)
from services.auction.domain.clearing_input import (
    CAD_JURISDICTIONS,
    CALIFORNIA,
    JURISDICTIONS,
    Bidder,
    Currency,
    JurisdictionOffer,
)
from services.auction.domain.clearing_money import is_whole_cents

MAX_PRICE = Decimal(1_000_000)  # per allowance, in either currency
MAX_AMOUNT = Decimal(10) ** 15  # a bid guarantee
MAX_QUANTITY = 10**12  # allowances offered, bid or as a limit
MIN_RATE, MAX_RATE = Decimal("0.0001"), Decimal(10_000)  # CAD per USD


def check_price(value: object, path: str, *, allow_zero: bool = False) -> Decimal:
    """A positive (or non-negative) whole-cent Decimal below MAX_PRICE (§95911(b): whole cents)."""
    return _check_money(value, path, MAX_PRICE, allow_zero=allow_zero)


def check_amount(value: object, path: str) -> Decimal:
    """A non-negative whole-cent Decimal, such as a bid guarantee."""
    return _check_money(value, path, MAX_AMOUNT, allow_zero=True)


def _check_money(value: object, path: str, maximum: Decimal, *, allow_zero: bool) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidClearingInput(f"{path} must be a decimal number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidClearingInput(f"{path} must be {'non-negative' if allow_zero else 'positive'}")
    if value >= maximum:
        raise InvalidClearingInput(f"{path} must be below {maximum}, got {value}")
    if not is_whole_cents(value):
        raise NotWholeCents(f"{path} must be whole cents, got {value}")
    return value


def check_quantity(value: object, path: str) -> int:
    """A non-negative whole number of allowances."""
    if type(value) is not int or value < 0 or value > MAX_QUANTITY:
        raise InvalidClearingInput(f"{path} must be a whole number of allowances from 0 to {MAX_QUANTITY}")
    return value


def check_exchange_rate(value: object, path: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or not MIN_RATE <= value <= MAX_RATE:
        raise InvalidClearingInput(f"{path} must be a decimal CAD-per-USD rate from {MIN_RATE} to {MAX_RATE}")
    return value


def check_jurisdiction(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in JURISDICTIONS:
        raise UnknownJurisdiction(f"{path} must be one of {', '.join(JURISDICTIONS)}, got {value!r}")
    return value


def check_text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidClearingInput(f"{path} must be a non-empty string")
    return value


def index_bidders(bidders: Sequence[Bidder], prefix: str = "") -> dict[str, Bidder]:
    """Validate every bidder and index them by id."""
    indexed: dict[str, Bidder] = {}
    for index, bidder in enumerate(bidders):
        path = f"{prefix}bidders[{index}]"
        _check_bidder(bidder, path)
        if bidder.id in indexed:
            raise DuplicateBidder(f"{path}.id {bidder.id!r} is used by another bidder")
        indexed[bidder.id] = bidder
    return indexed


def _check_bidder(bidder: Bidder, path: str) -> None:
    check_text(bidder.id, f"{path}.id")
    check_text(bidder.name, f"{path}.name")
    check_text(bidder.entity_type, f"{path}.entity_type")
    jurisdiction = check_jurisdiction(bidder.jurisdiction, f"{path}.jurisdiction")
    if not isinstance(bidder.currency, Currency):
        raise InvalidClearingInput(f"{path}.currency must be USD or CAD, got {bidder.currency!r}")
    if bidder.currency is Currency.CAD and jurisdiction not in CAD_JURISDICTIONS:
        # §95912(h)(2): an entity registered with California bids and guarantees in USD.
        raise CurrencyNotAllowed(f"{path}.currency CAD is not allowed for a {jurisdiction} bidder")
    check_quantity(bidder.purchase_limit, f"{path}.purchase_limit")
    check_quantity(bidder.holding_limit_headroom, f"{path}.holding_limit_headroom")
    check_amount(bidder.bid_guarantee, f"{path}.bid_guarantee")


def check_offers(offers: Mapping[str, JurisdictionOffer], prefix: str = "") -> int:
    """Validate the offers and return the total offered (an integer, not necessarily whole lots)."""
    if not isinstance(offers, Mapping) or not offers:
        raise InvalidClearingInput(f"{prefix}offers must name at least one jurisdiction")
    for jurisdiction, offer in offers.items():
        path = f"{prefix}offers.{jurisdiction}"
        check_jurisdiction(jurisdiction, path)
        check_quantity(offer.state_owned, f"{path}.state_owned")
        check_quantity(offer.untimely_surrender, f"{path}.untimely_surrender")
        check_quantity(offer.reintroduced_state_owned, f"{path}.reintroduced_state_owned")
        for entity_id, quantity in offer.consigned.items():
            check_text(entity_id, f"{path}.consigned key")
            check_quantity(quantity, f"{path}.consigned.{entity_id}")
        if jurisdiction != CALIFORNIA and offer.total() != offer.state_owned:
            raise InvalidClearingInput(f"{path}: only California offers consigned, untimely-surrender "
                                       "or re-introduced allowances; use state_owned")
    total = sum(offer.total() for offer in offers.values())
    if total > MAX_QUANTITY:
        raise InvalidClearingInput(f"{prefix}offers total more than {MAX_QUANTITY} allowances")
    return total
