"""Money is whole cents with a currency; every ledger entry balances; the reconciliation accounts for every cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.financial.domain import ledger
from services.financial.domain.errors import CurrencyMismatch, InvalidAmount, LedgerInvariantViolated
from services.financial.domain.ledger import EntryKind, LedgerEntry, Posting, Total, reconcile
from services.financial.domain.money import Currency, Money, convert_cents, parse_amount

USD, CAD = Currency.USD, Currency.CAD


def m(amount: str, currency: Currency = USD) -> Money:
    return Money.of(amount, currency)


@pytest.mark.parametrize("bad", ["12.345", "-1", "NaN", "Infinity", "1e30", "abc", ""])
def test_refuses_amounts_that_are_not_whole_non_negative_cents(bad: str):
    with pytest.raises(InvalidAmount):
        parse_amount(bad)


def test_parses_whole_cents_to_two_places():
    assert parse_amount("1250000") == Decimal("1250000.00")
    assert str(parse_amount("0.5")) == "0.50"


def test_money_of_different_currencies_never_mixes():
    with pytest.raises(CurrencyMismatch):
        _ = m("1.00") + m("1.00", CAD)


def test_converts_at_the_auction_rate_rounding_half_up_to_the_cent():
    rate = Decimal("1.3571")
    assert convert_cents(2_903_000, USD, CAD, rate) == 3_939_661  # 39,396.613 CAD
    assert convert_cents(50, USD, CAD, Decimal("1.01")) == 51  # 50.5 cents -> 51
    assert convert_cents(8_188_741, CAD, USD, rate) == 6_034_000  # 60,339.99705 USD -> 60,340.00
    assert convert_cents(100, USD, USD, rate) == 100


def test_an_entry_that_does_not_balance_is_refused():
    with pytest.raises(LedgerInvariantViolated):
        LedgerEntry(EntryKind.PAYMENT_RECEIVED, USD, (Posting("a", Decimal("1.00")), Posting("b", Decimal("-0.99"))))
    with pytest.raises(LedgerInvariantViolated):
        LedgerEntry(EntryKind.PAYMENT_RECEIVED, USD, (Posting("a", Decimal("0.001")), Posting("b", Decimal("-0.001"))))


def test_a_draw_moves_the_guarantee_into_settlement_money():
    e = ledger.guarantee_drawn("ent_1", "cash", m("150.00"), auction_id="A")
    balances = {p.account: p.amount for p in e.postings}
    assert balances == {
        "guarantees_held:ent_1": Decimal("150.00"), "guarantee_custody:cash": Decimal("-150.00"),
        "settlement_bank": Decimal("150.00"), "guarantees_drawn": Decimal("-150.00"),
    }


def test_a_conversion_is_one_balanced_entry_per_currency():
    sold, bought = ledger.fx_conversion(m("135.71", CAD), m("100.00"), reference="fx:A:0")
    assert (sold.currency, bought.currency) == (CAD, USD)
    assert sum(p.amount for p in sold.postings) == 0 and sum(p.amount for p in bought.postings) == 0


def totals_of(entries: list[LedgerEntry]) -> list[Total]:
    """What the repository's GROUP BY computes, in Python."""
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for e in entries:
        for p in e.postings:
            key = (str(e.currency), str(e.kind), ledger.family(p.account))
            sums[key][0 if p.amount > 0 else 1] += abs(p.amount)
    return [Total(c, k, f, d, cr) for (c, k, f), (d, cr) in sums.items()]


# ---- property: whatever happens, the books balance and every cent is accounted for -----------------

cents = st.integers(min_value=1, max_value=10**9)
forms = st.sampled_from(["cash", "letter_of_credit", "bond"])
entities = st.sampled_from(["ent_a", "ent_b", "ent_c"])
currencies = st.sampled_from([USD, CAD])
operation = st.one_of(
    st.tuples(st.just("guarantee"), entities, forms, currencies, cents),
    st.tuples(st.just("draw"), entities, forms, currencies, st.fractions(0, 1)),
    st.tuples(st.just("return"), entities, forms, currencies, st.fractions(0, 1)),
    st.tuples(st.just("payment"), entities, currencies, cents, cents),
    st.tuples(st.just("refund"), entities, currencies, st.fractions(0, 1)),
    st.tuples(st.just("convert"), currencies, st.fractions(0, 1), st.decimals("0.5", "2.0", places=4)),
    st.tuples(st.just("distribute"), currencies, st.fractions(0, 1), st.fractions(0, 1)),
)


class Books:
    """A tiny FSA driven by random operations; it never lets a balance go below zero."""

    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []
        self.held: dict[tuple[str, str, Currency], int] = defaultdict(int)
        self.owed: dict[tuple[str, Currency], int] = defaultdict(int)
        self.proceeds: dict[Currency, int] = defaultdict(int)  # undistributed settlement money

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        if kind == "guarantee":
            _, e, f, c, amount = op
            self.entries.append(ledger.guarantee_received(e, f, Money.from_cents(amount, c)))
            self.held[(e, f, c)] += amount
        elif kind in ("draw", "return"):
            _, e, f, c, share = op
            amount = int(self.held[(e, f, c)] * share)
            if amount:
                make = ledger.guarantee_drawn if kind == "draw" else ledger.guarantee_returned
                self.entries.append(make(e, f, Money.from_cents(amount, c)))
                self.held[(e, f, c)] -= amount
                self.proceeds[c] += amount if kind == "draw" else 0
        elif kind == "payment":
            _, e, c, applied, excess = op
            self.entries.append(ledger.payment_received(e, Money.from_cents(applied, c), Money.from_cents(excess, c)))
            self.owed[(e, c)] += excess
            self.proceeds[c] += applied
        elif kind == "refund":
            _, e, c, share = op
            amount = int(self.owed[(e, c)] * share)
            if amount:
                self.entries.append(ledger.refund_paid(e, Money.from_cents(amount, c)))
                self.owed[(e, c)] -= amount
        elif kind == "convert":
            _, c, share, rate = op
            other = CAD if c == USD else USD
            amount = int(self.proceeds[c] * share)
            bought = convert_cents(amount, c, other, rate)
            if amount and bought:
                self.entries.extend(ledger.fx_conversion(Money.from_cents(amount, c), Money.from_cents(bought, other)))
                self.proceeds[c] -= amount
                self.proceeds[other] += bought
        elif kind == "distribute":
            _, c, share, split = op
            amount = int(self.proceeds[c] * share)
            to_fund = int(amount * split)
            if amount:
                self.entries.append(ledger.proceeds_distributed(
                    c, [("ggrf_proceeds", to_fund), ("consignor_proceeds:ent_c", amount - to_fund)]))
                self.proceeds[c] -= amount


@settings(max_examples=100, deadline=None)
@given(st.lists(operation, max_size=40))
def test_the_ledger_always_balances_and_reconciles_to_the_cent(ops):
    books = Books()
    for op in ops:
        books.apply(op)
    for e in books.entries:
        assert sum(p.amount for p in e.postings) == 0
    report = reconcile(totals_of(books.entries))
    for c, r in report.items():
        assert r.trial_balance == 0
        assert r.guarantees_balanced and r.proceeds_balanced and r.balanced, c
        held = sum(v for (_, _, cur), v in books.held.items() if cur == c)
        assert r.guarantees_held == Decimal(held).scaleb(-2)
        assert r.undistributed == Decimal(books.proceeds[Currency(c)]).scaleb(-2)
        assert r.refunds_outstanding == Decimal(sum(v for (_, cur), v in books.owed.items() if cur == c)).scaleb(-2)


def test_reconciliation_notices_a_posting_that_bypasses_the_rules():
    entries = [ledger.guarantee_received("ent_a", "bond", m("100.00")),
               ledger.transfer(EntryKind.PAYMENT_RECEIVED, m("40.00"), debit="guarantees_held:ent_a",
                               credit="settlement_bank")]
    (r,) = reconcile(totals_of(entries)).values()
    assert r.trial_balance == 0
    assert not r.guarantees_balanced
