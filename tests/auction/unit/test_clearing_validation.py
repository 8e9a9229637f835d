"""Invalid input is refused with a stable error code and the path of the offending field."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from services.auction.domain.clearing import clear_joint, clear_pool
from services.auction.domain.clearing_errors import ClearingError, NotInLots, NotWholeCents
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
from services.auction.domain.clearing_parse import load_request

D = Decimal

VALID: dict[str, Any] = {
    "kind": "current",
    "reserve_price": "19.70",
    "exchange_rate": "1.3500",
    "seed": 7,
    "offers": {"CA": {"state_owned": 5000}, "QC": {"state_owned": 1500}},
    "bidders": [
        {"id": "B1", "name": "Alpha", "jurisdiction": "CA", "currency": "USD", "entity_type": "covered_entity",
         "purchase_limit": 10000, "holding_limit_headroom": 10000, "bid_guarantee": "500000.00"},
        {"id": "B2", "name": "Gamma", "jurisdiction": "QC", "currency": "CAD", "entity_type": "covered_entity",
         "purchase_limit": 10000, "holding_limit_headroom": 10000, "bid_guarantee": "500000.00"},
    ],
    "bids": [
        {"bidder": "B1", "price": "25.00", "quantity": 1000},
        {"bidder": "B1", "price": "24.00", "quantity": 1000},
        {"bidder": "B2", "price": "30.00", "quantity": 2000},
        {"bidder": "B2", "price": "29.00", "quantity": 1000},
    ],
}


def clear_document(document: dict[str, Any]) -> object:
    request = load_request(json.dumps(document), lambda: 99)
    if isinstance(request.auction, PoolAuction):
        return clear_pool(request.auction, request.seed)
    return clear_joint(request.auction, request.seed)


def refusal(edit: Any) -> ClearingError:
    document = copy.deepcopy(VALID)
    edit(document)
    with pytest.raises(ClearingError) as error:
        clear_document(document)
    return error.value


def test_valid_document_clears() -> None:
    assert clear_document(VALID) is not None


@pytest.mark.parametrize(
    ("edit", "code", "message"),
    [
        (lambda d: d["bids"][3].update(price="29.001"), "not_whole_cents",
         "bids[3].price must be whole cents, got 29.001"),
        (lambda d: d.update(reserve_price="19.705"), "not_whole_cents", "reserve_price must be whole cents"),
        (lambda d: d["bidders"][0].update(bid_guarantee="10.001"), "not_whole_cents",
         "bidders[0].bid_guarantee must be whole cents"),
        (lambda d: d["bids"][1].update(quantity=1500), "not_in_lots",
         "bids[1].quantity must be a positive multiple of 1,000, got 1500"),
        (lambda d: d["bids"][1].update(quantity=0), "not_in_lots", "bids[1].quantity"),
        (lambda d: d["bidders"][0].update(currency="CAD"), "currency_not_allowed",
         "bidders[0].currency CAD is not allowed for a CA bidder"),
        (lambda d: d["bids"][2].update(bidder="B9"), "unknown_bidder", "bids[2].bidder 'B9' is not in bidders"),
        (lambda d: d["bidders"][1].update(id="B1"), "duplicate_bidder", "bidders[1].id 'B1'"),
        (lambda d: d["bidders"][1].update(jurisdiction="NS"), "unknown_jurisdiction", "bidders[1].jurisdiction"),
        (lambda d: d["offers"].update(NS={"state_owned": 1}), "unknown_jurisdiction", "offers.NS"),
        (lambda d: d.pop("reserve_price"), "invalid_input", "reserve_price is required"),
        (lambda d: d["bids"][0].update(prise="1"), "invalid_input", "bids[0] has unknown field(s): prise"),
        (lambda d: d["bids"][0].update(price="abc"), "invalid_input", "bids[0].price must be a decimal number"),
        (lambda d: d["bids"][0].update(price="-25.00"), "invalid_input", "bids[0].price must be positive"),
        (lambda d: d["bids"][0].update(price="NaN"), "invalid_input", "bids[0].price must be a finite"),
        (lambda d: d["bids"][0].update(quantity=True), "invalid_input", "bids[0].quantity must be a whole number"),
        (lambda d: d["bidders"][0].update(purchase_limit=-1), "invalid_input", "bidders[0].purchase_limit"),
        (lambda d: d["offers"]["CA"].update(state_owned=10.5), "invalid_input", "offers.CA.state_owned"),
        (lambda d: d["offers"]["QC"].update(consigned={"E": 5}), "invalid_input", "only California"),
        (lambda d: d.update(exchange_rate="0"), "invalid_input", "exchange_rate"),
        (lambda d: d.update(kind="spot"), "invalid_input", "kind must be 'current' or 'advance'"),
        (lambda d: d.update(seed=-1), "invalid_input", "seed must be a non-negative integer"),
        (lambda d: d.update(current={}), "invalid_input", "input has unknown field(s)"),
    ],
)
def test_invalid_input_is_refused_with_a_stable_code(edit: Any, code: str, message: str) -> None:
    error = refusal(edit)
    assert error.code == code
    assert message in error.message


def test_malformed_json_is_refused_as_invalid_json() -> None:
    with pytest.raises(ClearingError) as error:
        load_request("{not json", lambda: 1)
    assert error.value.code == "invalid_json"


def test_json_numbers_are_read_exactly_and_floats_never_appear() -> None:
    request = load_request('{"kind": "current", "reserve_price": 19.70, "exchange_rate": 1.35, "offers": {},'
                           ' "bidders": [], "bids": []}', lambda: 5)
    assert isinstance(request.auction, PoolAuction)
    assert request.auction.reserve_price == D("19.70") and isinstance(request.auction.exchange_rate, Decimal)
    assert (request.seed, request.seed_generated) == (5, True)


def test_direct_callers_get_the_same_validation_as_json_input() -> None:
    bidder = Bidder("B1", "Alpha", "CA", Currency.USD, "covered_entity", 10_000, 10_000, D("1000"))
    offers = {"CA": JurisdictionOffer(state_owned=1000)}
    with pytest.raises(NotWholeCents, match=r"bids\[0\]\.price"):
        clear_pool(PoolAuction(PoolKind.CURRENT, D("10"), D("1.35"), offers, [bidder],
                               [Bid("B1", D("20.001"), 1000)]), seed=1)
    with pytest.raises(NotInLots, match=r"advance\.bids\[0\]\.quantity"):
        clear_joint(JointAuction(D("10"), D("1.35"), [bidder], PoolBook(offers, []),
                                 PoolBook(offers, [Bid("B1", D("20"), 999)])), seed=1)

