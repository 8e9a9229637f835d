"""The transaction fields of a transfer request (§95921(b)(2)–(b)(6), (a)(4)): pure checks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.transfers.domain.terms import PartyFacts, Terms, check_terms

TODAY = date(2026, 11, 23)
STRANGERS = PartyFacts(same_entity=False, direct_associates=False, holding_to_compliance=False,
                       source_is_clearing=False)
ASSOCIATES = PartyFacts(same_entity=False, direct_associates=True, holding_to_compliance=False,
                        source_is_clearing=False)
OWN_COMPLIANCE = PartyFacts(same_entity=True, direct_associates=False, holding_to_compliance=True,
                            source_is_clearing=False)
FROM_CLEARING = PartyFacts(same_entity=False, direct_associates=False, holding_to_compliance=False,
                           source_is_clearing=True)


def spot(**changes) -> Terms:
    values = {"transaction_type": "otc_spot", "agreement_date": TODAY, "expected_termination_date": TODAY,
              "price": Decimal("29.15"), "currency": "USD", "agreement_kind": "written",
              "agreement_reference": "MSA-1"}
    values.update(changes)
    return Terms(**values)


def codes(terms: Terms, facts: PartyFacts = STRANGERS) -> dict[str, str]:
    return {p.field: p.code for p in check_terms(terms, facts, TODAY)}


def test_a_complete_spot_request_has_no_problem():
    assert codes(spot()) == {}


def test_each_problem_cites_its_rule():
    problems = check_terms(Terms(transaction_type="otc_spot"), STRANGERS, TODAY)
    assert {p.rule for p in problems} >= {"§95921(b)(3)(A)", "§95921(b)(3)(B)", "§95921(b)(3)(C)", "§95921(a)(4)"}


def test_not_specified_is_an_accepted_expected_termination_date():  # §95921(b)(3)(B)
    assert codes(spot(expected_termination_date=None, termination_not_specified=True)) == {}
    assert codes(spot(termination_not_specified=True)) == {"expected_termination_date": "conflicting_fields"}


def test_dates_must_be_consistent():
    tomorrow = TODAY + timedelta(days=1)
    assert codes(spot(agreement_date=tomorrow, expected_termination_date=tomorrow)) == {
        "agreement_date": "date_in_future"}
    assert codes(spot(expected_termination_date=TODAY - timedelta(days=1), agreement_date=TODAY)) == {
        "expected_termination_date": "before_agreement_date"}


def test_a_spot_agreement_is_at_most_three_days_old():  # §95921(b)(2)(A)
    assert codes(spot(agreement_date=TODAY - timedelta(days=3))) == {}
    assert codes(spot(agreement_date=TODAY - timedelta(days=4))) == {"transaction_type": "not_spot_delivery"}


def test_forward_requires_its_own_fields():  # §95921(b)(4)
    forward = spot(transaction_type="otc_forward", pricing_method="other", price=None)
    assert codes(forward) == {"further_transfers": "required", "other_products": "required",
                              "pricing_description": "required", "price": "required"}


def test_cost_plus_price_is_cost_base_plus_margin():  # §95921(b)(4)(F)
    forward = spot(transaction_type="otc_forward", pricing_method="cost_plus", price=None,
                   cost_base=Decimal("27.40"), margin=Decimal("0.85"), further_transfers=True, other_products=False)
    assert forward.normalized().price == Decimal("28.25")
    assert codes(forward.normalized()) == {}


def test_exchange_requires_exchange_contract_close_date_and_price():  # §95921(b)(5)
    assert codes(spot(transaction_type="exchange", price=None)) == {
        "exchange": "required", "contract_code": "required", "close_of_trading_date": "required",
        "price": "required"}


@pytest.mark.parametrize(("reason", "facts", "expected"), [
    (None, STRANGERS, {"zero_price_reason": "zero_price_requires_reason"}),
    ("A", STRANGERS, {"zero_price_reason": "not_direct_associates"}),
    ("A", ASSOCIATES, {}),
    ("B", STRANGERS, {"zero_price_reason": "not_holding_to_compliance"}),
    ("B", OWN_COMPLIANCE, {}),
    *((r, STRANGERS, {}) for r in "CDEFGH"),
])
def test_a_zero_price_needs_a_fitting_disclosed_reason(reason, facts, expected):  # §95921(b)(6)
    assert codes(spot(price=Decimal(0), zero_price_reason=reason), facts) == expected


def test_a_reason_without_zero_price_and_bad_prices_are_refused():
    assert codes(spot(zero_price_reason="C")) == {"zero_price_reason": "reason_without_zero_price"}
    assert codes(spot(price=Decimal("-1"))) == {"price": "negative_price"}
    assert codes(spot(price=Decimal("1.005"))) == {"price": "too_many_decimals"}
    assert codes(spot(currency=None)) == {"currency": "required"}
    assert codes(spot(zero_price_reason="Z", price=Decimal(0))) == {"zero_price_reason": "unknown_zero_price_reason"}


def test_the_agreement_is_needed_except_between_associates_or_within_one_entity():  # §95921(a)(4)
    bare = spot(agreement_kind=None, agreement_reference=None)
    assert codes(bare) == {"agreement_kind": "agreement_required", "agreement_reference": "agreement_required"}
    assert codes(bare, ASSOCIATES) == {}
    assert codes(bare, OWN_COMPLIANCE) == {}


def test_clearing_account_holders_need_not_give_b3_b4_b6():  # §95921(h)(3)
    assert codes(Terms(transaction_type="otc_spot", agreement_kind="written", agreement_reference="CH"),
                 FROM_CLEARING) == {}
    assert codes(Terms(transaction_type="otc_forward", agreement_kind="written", agreement_reference="CH",
                       price=Decimal(0), currency="USD"), FROM_CLEARING) == {}
    # (b)(5) is not exempted
    assert "exchange" in codes(Terms(transaction_type="exchange", agreement_kind="written",
                                     agreement_reference="CH"), FROM_CLEARING)


def test_an_unknown_transaction_type_is_the_only_problem_reported():
    assert codes(Terms(transaction_type="swap")) == {"transaction_type": "unknown_transaction_type"}
