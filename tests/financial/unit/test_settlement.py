"""Invoices (§95912(i)(2)-(3)), deliveries split over jurisdictions (§95912(i)(4)), distribution exact to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.financial.domain.errors import CurrencyMismatch, DistributionShortfall, InvalidAmount
from services.financial.domain.money import Currency, Money, convert_cents
from services.financial.domain.settlement import (
    AwardLine,
    Invoice,
    InvoiceStatus,
    Payee,
    Prices,
    apportion,
    award_cost,
    jurisdiction_values,
    plan_deliveries,
    plan_distribution,
)

USD, CAD = Currency.USD, Currency.CAD
PRICES = Prices(Decimal("30.17"), Decimal("29.03"), Decimal("1.3571"))
PAYEES = {"CA": Payee("ggrf_proceeds", USD), "QC": Payee("qc_proceeds", CAD)}
T0 = datetime(2027, 2, 18, 20, tzinfo=UTC)


def test_a_usd_winner_owes_settlement_price_times_quantity_in_each_pool():
    assert award_cost(8_000, 2_000, PRICES, USD) == Money.of("299420.00", USD)


def test_a_cad_winner_owes_each_pool_converted_at_the_auction_rate():
    # 271,530.00 USD -> 368,493.363 CAD; 29,030.00 USD -> 39,396.613 CAD (half up, pool by pool)
    assert award_cost(9_000, 1_000, PRICES, CAD) == Money.of("407889.97", CAD)


def invoice(amount: str = "100.00") -> Invoice:
    return Invoice("inv", "A", "ent", Money.of(amount, USD), 10, 0, "acct", date(2027, 2, 25), T0,
                   Money.of(amount, USD))


def test_payments_close_the_invoice_and_anything_beyond_is_owed_back():
    i = invoice()
    assert i.receive(Money.of("60.00", USD), T0) == (Money.of("60.00", USD), Money.zero(USD))
    assert i.status is InvoiceStatus.OPEN
    assert i.receive(Money.of("50.00", USD), T0) == (Money.of("40.00", USD), Money.of("10.00", USD))
    assert i.status is InvoiceStatus.PAID and i.overpaid == Decimal("10.00")
    assert i.receive(Money.of("5.00", USD), T0) == (Money.zero(USD), Money.of("5.00", USD))


def test_a_payment_of_nothing_or_in_another_currency_is_refused():
    with pytest.raises(InvalidAmount):
        invoice().receive(Money.zero(USD), T0)
    with pytest.raises(CurrencyMismatch):
        invoice().receive(Money.of("1.00", CAD), T0)


def test_an_invoice_is_overdue_the_day_after_its_seventh_day():  # §95912(i)(3)(B)
    i = invoice()
    assert not i.is_overdue(date(2027, 2, 25))
    assert i.is_overdue(date(2027, 2, 26))


def test_draws_that_do_not_cover_the_invoice_leave_it_defaulted():
    i = invoice()
    i.apply_draw(Money.of("70.00", USD))
    i.close_after_draws(T0)
    assert i.status is InvoiceStatus.DEFAULTED and i.outstanding == Money.of("30.00", USD)


def test_deliveries_follow_what_each_jurisdiction_sold():
    awards = [AwardLine("ent_a", 5_000, 0), AwardLine("ent_b", 8_000, 2_000), AwardLine("ent_c", 9_000, 1_000)]
    plan = plan_deliveries(awards, {"CA": 15_000, "QC": 7_000}, {"CA": 2_000, "QC": 1_000},
                           current_vintage=2027, advance_vintage=2030)
    for a in awards:
        lines = plan[a.entity_id]
        assert sum(x.quantity for x in lines if x.vintage == 2027) == a.current_quantity
        assert sum(x.quantity for x in lines if x.vintage == 2030) == a.advance_quantity
    assert sum(x.quantity for lines in plan.values() for x in lines if x.jurisdiction == "QC") == 8_000


def test_awards_that_do_not_add_up_to_what_was_sold_are_refused():
    with pytest.raises(ValueError):
        plan_deliveries([AwardLine("a", 10, 0)], {"CA": 11}, {}, current_vintage=2027, advance_vintage=2030)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 50_000), min_size=1, max_size=8), st.lists(st.integers(0, 50_000), min_size=1,
                                                                          max_size=4), st.randoms())
def test_apportion_sums_exactly_by_row_and_by_column(row_q, col_weights, rnd):
    total = sum(row_q)
    # columns: a random split of the same total
    cuts = sorted(rnd.randint(0, total) for _ in range(len(col_weights) - 1))
    col_q = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    rows = [(f"r{i}", q) for i, q in enumerate(row_q)]
    cols = [(f"c{j}", q) for j, q in enumerate(col_q)]
    cells = apportion(rows, cols)
    assert all(v > 0 for v in cells.values())
    for r, q in rows:
        assert sum(v for (rr, _), v in cells.items() if rr == r) == q
    for c, q in cols:
        assert sum(v for (_, cc), v in cells.items() if cc == c) == q


def test_distribution_pays_consignors_quebec_and_the_fund_the_rest_exactly():
    values = jurisdiction_values({"CA": 15_000, "QC": 7_000}, {"CA": 2_000, "QC": 1_000}, PRICES)
    plan = plan_distribution(
        receipts={USD: 45_027_000, CAD: 40_788_997}, consignors=[("util", Money.of("120680.00", USD))],
        values_usd=values, payees=PAYEES, residual="CA", cad_per_usd=PRICES.cad_per_usd)
    assert [(t.sold, t.bought) for t in plan.trades] == [(Money.of("81887.41", CAD), Money.of("60340.00", USD))]
    assert plan.payouts[CAD] == [("qc_proceeds", 32_600_256)]
    assert plan.payouts[USD] == [("consignor_proceeds:util", 12_068_000), ("ggrf_proceeds", 38_993_000)]


def test_distribution_refuses_when_receipts_cannot_pay_partners_and_consignors():
    with pytest.raises(DistributionShortfall):
        plan_distribution(receipts={USD: 100}, consignors=[("util", Money.of("5.00", USD))],
                          values_usd={"CA": 600}, payees=PAYEES, residual="CA", cad_per_usd=PRICES.cad_per_usd)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**8), st.integers(0, 10**8),
       st.decimals("0.9", "1.6", places=4))
def test_distribution_leaves_no_cent_behind_in_either_currency(usd_in, cad_in, qc_value, consigned, rate):
    values = {"CA": consigned + 1, "QC": qc_value}
    try:
        plan = plan_distribution(receipts={USD: usd_in, CAD: cad_in},
                                 consignors=[("u", Money.from_cents(consigned, USD))],
                                 values_usd=values, payees=PAYEES, residual="CA", cad_per_usd=rate)
    except DistributionShortfall:
        qc_in_usd = convert_cents(convert_cents(qc_value, USD, CAD, rate), CAD, USD, rate)
        assert usd_in + convert_cents(cad_in, CAD, USD, rate) < consigned + qc_in_usd + 2
        return
    flows = {USD: usd_in, CAD: cad_in}
    for t in plan.trades:
        flows[t.sold.currency] -= t.sold.cents
        flows[t.bought.currency] += t.bought.cents
    for currency, payouts in plan.payouts.items():
        assert all(cents >= 0 for _, cents in payouts)
        assert sum(cents for _, cents in payouts) == flows[currency]
    assert dict(plan.payouts[CAD])["qc_proceeds"] == convert_cents(qc_value, USD, CAD, rate)
