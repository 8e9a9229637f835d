"""JSON input of the clearing engine -> input types. Strict: unknown fields are refused.

Two shapes (docs/auction-clearing.md):

* one pool: ``{"kind": "current"|"advance", "reserve_price", "exchange_rate", "seed"?,
  "offers", "bidders", "bids"}``;
* a joint Current + Advance auction: ``{"reserve_price", "exchange_rate", "seed"?, "bidders",
  "current": {"offers", "bids"}, "advance": {"offers", "bids"}}``; a bidder's purchase_limit
  may then be ``{"current": N, "advance": M}``.

Numbers are read exactly: load_request parses JSON numbers with a fraction as Decimal; money
may also be given as a string ("20.25"). Floats are refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from services.auction.domain.clearing_errors import ClearingError, InvalidClearingInput
from services.auction.domain.clearing_input import (
    Bid,
    Bidder,
    Currency,
    JointAuction,
    JurisdictionOffer,
    PoolAuction,
    PoolBook,
    PoolKind,
)


class InvalidJson(ClearingError):
    """The input is not a JSON document."""

    code = "invalid_json"


@dataclass(frozen=True)
class ClearingRequest:
    auction: PoolAuction | JointAuction
    seed: int
    seed_generated: bool


_POOL_KEYS = {"kind", "reserve_price", "exchange_rate", "seed", "offers", "bidders", "bids"}
_JOINT_KEYS = {"reserve_price", "exchange_rate", "seed", "bidders", "current", "advance"}
_BIDDER_KEYS = {"id", "name", "jurisdiction", "currency", "entity_type", "purchase_limit",
                "holding_limit_headroom", "bid_guarantee"}
_BID_KEYS = {"bidder", "price", "quantity"}
_OFFER_KEYS = {"state_owned", "consigned", "untimely_surrender", "reintroduced_state_owned"}


def load_request(text: str | bytes, new_seed: Callable[[], int]) -> ClearingRequest:
    """Parse a JSON document; `new_seed` is called only when the input has no seed."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise InvalidJson(f"input is not valid JSON: {exc}") from exc
    return parse_request(data, new_seed)


def parse_request(data: object, new_seed: Callable[[], int]) -> ClearingRequest:
    document = _object(data, "input")
    joint = "current" in document or "advance" in document
    _only_keys(document, _JOINT_KEYS if joint else _POOL_KEYS, "input")
    seed, generated = _seed(document, new_seed)
    reserve = _decimal(_field(document, "reserve_price", ""), "reserve_price")
    rate = _decimal(_field(document, "exchange_rate", ""), "exchange_rate")
    if not joint:
        kind = _kind(_field(document, "kind", ""))
        bidders, _ = _bidders(_field(document, "bidders", ""), (kind,))
        pool = PoolAuction(kind, reserve, rate, _offers(_field(document, "offers", ""), ""),
                           bidders, _bids(_field(document, "bids", ""), ""))
        return ClearingRequest(pool, seed, generated)
    bidders, advance_limits = _bidders(_field(document, "bidders", ""), tuple(PoolKind))
    current = _pool_book(_field(document, "current", ""), "current.", {})
    advance = _pool_book(_field(document, "advance", ""), "advance.", advance_limits)
    return ClearingRequest(JointAuction(reserve, rate, bidders, current, advance), seed, generated)


def _seed(document: Mapping[str, object], new_seed: Callable[[], int]) -> tuple[int, bool]:
    seed = document.get("seed")
    if seed is None:
        return new_seed(), True
    if type(seed) is not int or seed < 0:
        raise InvalidClearingInput(f"seed must be a non-negative integer, got {seed!r}")
    return seed, False


def _kind(value: object) -> PoolKind:
    if value not in ("current", "advance"):
        raise InvalidClearingInput(f"kind must be 'current' or 'advance', got {value!r}")
    return PoolKind(str(value))


def _pool_book(value: object, prefix: str, purchase_limits: dict[str, int]) -> PoolBook:
    pool = _object(value, prefix.rstrip("."))
    _only_keys(pool, {"offers", "bids"}, prefix.rstrip("."))
    return PoolBook(_offers(_field(pool, "offers", prefix), prefix),
                    _bids(_field(pool, "bids", prefix), prefix), purchase_limits)


def _bidders(value: object, kinds: tuple[PoolKind, ...]) -> tuple[list[Bidder], dict[str, int]]:
    """The bidders, and (joint auction) the Advance purchase limits given per pool."""
    bidders: list[Bidder] = []
    advance_limits: dict[str, int] = {}
    for index, item in enumerate(_array(value, "bidders")):
        path = f"bidders[{index}]"
        entry = _object(item, path)
        _only_keys(entry, _BIDDER_KEYS, path)
        limits = _purchase_limits(_field(entry, "purchase_limit", path + "."), kinds,
                                  path + ".purchase_limit")
        bidder = Bidder(
            id=_string(_field(entry, "id", path + "."), path + ".id"),
            name=_string(_field(entry, "name", path + "."), path + ".name"),
            jurisdiction=_string(_field(entry, "jurisdiction", path + "."), path + ".jurisdiction"),
            currency=_currency(_field(entry, "currency", path + "."), path + ".currency"),
            entity_type=_string(_field(entry, "entity_type", path + "."), path + ".entity_type"),
            purchase_limit=limits[kinds[0]],
            holding_limit_headroom=_integer(_field(entry, "holding_limit_headroom", path + "."),
                                            path + ".holding_limit_headroom"),
            bid_guarantee=_decimal(_field(entry, "bid_guarantee", path + "."), path + ".bid_guarantee"),
        )
        bidders.append(bidder)
        if PoolKind.ADVANCE in limits and len(kinds) > 1:
            advance_limits[bidder.id] = limits[PoolKind.ADVANCE]
    return bidders, advance_limits


def _purchase_limits(value: object, kinds: tuple[PoolKind, ...], path: str) -> dict[PoolKind, int]:
    """An integer (the same limit in every pool) or {"current": N, "advance": M} (§95911(d))."""
    if not isinstance(value, Mapping):
        limit = _integer(value, path)
        return dict.fromkeys(kinds, limit)
    _only_keys(value, {kind.value for kind in kinds}, path)
    return {kind: _integer(_field(value, kind.value, path + "."), f"{path}.{kind.value}") for kind in kinds}


def _bids(value: object, prefix: str) -> list[Bid]:
    bids: list[Bid] = []
    for index, item in enumerate(_array(value, prefix + "bids")):
        path = f"{prefix}bids[{index}]"
        entry = _object(item, path)
        _only_keys(entry, _BID_KEYS, path)
        bids.append(Bid(
            bidder_id=_string(_field(entry, "bidder", path + "."), path + ".bidder"),
            price=_decimal(_field(entry, "price", path + "."), path + ".price"),
            quantity=_integer(_field(entry, "quantity", path + "."), path + ".quantity"),
        ))
    return bids


def _offers(value: object, prefix: str) -> dict[str, JurisdictionOffer]:
    offers: dict[str, JurisdictionOffer] = {}
    for jurisdiction, item in _object(value, prefix + "offers").items():
        path = f"{prefix}offers.{jurisdiction}"
        entry = _object(item, path)
        _only_keys(entry, _OFFER_KEYS, path)
        consigned = {
            str(entity_id): _integer(quantity, f"{path}.consigned.{entity_id}")
            for entity_id, quantity in _object(entry.get("consigned", {}), path + ".consigned").items()
        }
        offers[jurisdiction] = JurisdictionOffer(
            state_owned=_integer(entry.get("state_owned", 0), path + ".state_owned"),
            consigned=consigned,
            untimely_surrender=_integer(entry.get("untimely_surrender", 0), path + ".untimely_surrender"),
            reintroduced_state_owned=_integer(entry.get("reintroduced_state_owned", 0),
                                              path + ".reintroduced_state_owned"),
        )
    return offers


def _field(entry: Mapping[str, object], key: str, prefix: str) -> object:
    if key not in entry:
        raise InvalidClearingInput(f"{prefix}{key} is required")
    return entry[key]


def _only_keys(entry: Mapping[str, object], allowed: set[str], path: str) -> None:
    unknown = sorted(str(key) for key in entry if key not in allowed)
    if unknown:
        raise InvalidClearingInput(f"{path} has unknown field(s): {', '.join(unknown)}")


def _object(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InvalidClearingInput(f"{path} must be a JSON object")
    return value


def _array(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidClearingInput(f"{path} must be a JSON array")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidClearingInput(f"{path} must be a non-empty string")
    return value


def _integer(value: object, path: str) -> int:
    if type(value) is not int:
        raise InvalidClearingInput(f"{path} must be a whole number (JSON integer), got {value!r}")
    return value


def _currency(value: object, path: str) -> Currency:
    if value not in ("USD", "CAD"):
        raise InvalidClearingInput(f"{path} must be 'USD' or 'CAD', got {value!r}")
    return Currency(str(value))


def _decimal(value: object, path: str) -> Decimal:
    """A JSON number or a numeric string, read exactly; booleans and floats are refused."""
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidClearingInput(f"{path} must be a decimal number, got {value!r}") from None
    else:
        raise InvalidClearingInput(f"{path} must be a decimal number or a string, got {value!r}")
    if not number.is_finite():
        raise InvalidClearingInput(f"{path} must be a finite decimal number, got {value!r}")
    return number
