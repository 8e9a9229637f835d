"""Bid guarantee rules: §95912(h) deadlines, currency, expiry; (h)(9) order of draws; (i)(3)(E)-(G); (j)(3)(D)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.financial.domain.errors import (
    AuctionCancelled,
    CashGuaranteeNotKept,
    GuaranteeAmendmentProhibited,
    GuaranteeCurrencyNotAllowed,
    GuaranteeDeadlinePassed,
    GuaranteeExpiresTooSoon,
    GuaranteeExpiryRequired,
    GuaranteeStateConflict,
    MultiAuctionNotAgreed,
    SameIndividual,
)
from services.financial.domain.guarantees import (
    AuctionWindow,
    Bidder,
    Guarantee,
    GuaranteeForm,
    GuaranteePolicy,
    GuaranteeStatus,
    Terms,
    accepted_value,
    check_terms,
    plan_draws,
)
from services.financial.domain.money import Money

POLICY = GuaranteePolicy()
AUCTION_DATE = date(2027, 2, 17)
WINDOW = AuctionWindow("A", AUCTION_DATE, guarantee_deadline=date(2027, 2, 5))
CA = Bidder("ent_ca", "CA", "USD")
QC_CAD = Bidder("ent_qc", "QC", "CAD")
T0 = datetime(2027, 1, 20, 17, tzinfo=UTC)


def loc(amount: str = "1000.00", currency: str = "USD", expires: date | None = date(2027, 3, 20)) -> Terms:
    return Terms(GuaranteeForm.LETTER_OF_CREDIT, Money.of(amount, currency), expires, "Bank", "LC-1")


def guarantee(form: GuaranteeForm, amount: str, *, currency: str = "USD", expires: date | None = None,
              gid: str = "g", minutes: int = 0, status: GuaranteeStatus = GuaranteeStatus.ACCEPTED) -> Guarantee:
    g = Guarantee(gid, "ent_ca", "A", "CA", form, Money.of(amount, currency), expires, None, None, "rep",
                  T0 + timedelta(minutes=minutes))
    g.status, g.evaluated_at, g.evaluated_by = status, T0, "fsa"
    return g


def test_accepts_a_guarantee_on_the_last_day_twelve_days_before_the_auction():
    assert check_terms(loc(), policy=POLICY, window=WINDOW, bidder=CA, today=date(2027, 2, 5)) == loc()


def test_refuses_a_guarantee_after_the_deadline_of_section_95912_h():
    with pytest.raises(GuaranteeDeadlinePassed):
        check_terms(loc(), policy=POLICY, window=WINDOW, bidder=CA, today=date(2027, 2, 6))


def test_a_notice_deadline_later_than_twelve_days_before_is_not_honoured():
    late_notice = AuctionWindow("A", AUCTION_DATE, guarantee_deadline=date(2027, 2, 10))
    with pytest.raises(GuaranteeDeadlinePassed):
        check_terms(loc(), policy=POLICY, window=late_notice, bidder=CA, today=date(2027, 2, 6))


def test_a_california_entity_guarantees_in_usd_only():  # §95912(h)(2)
    with pytest.raises(GuaranteeCurrencyNotAllowed):
        check_terms(loc(currency="CAD"), policy=POLICY, window=WINDOW, bidder=CA, today=T0.date())


def test_a_quebec_entity_guarantees_in_its_bidding_currency_cad_or_usd():  # §95912(h)(4)
    check_terms(loc(currency="CAD"), policy=POLICY, window=WINDOW, bidder=QC_CAD, today=T0.date())
    check_terms(loc(currency="USD"), policy=POLICY, window=WINDOW, bidder=Bidder("q", "QC", "USD"), today=T0.date())
    with pytest.raises(GuaranteeCurrencyNotAllowed):
        check_terms(loc(currency="USD"), policy=POLICY, window=WINDOW, bidder=QC_CAD, today=T0.date())


def test_a_letter_of_credit_expires_no_sooner_than_26_days_after_the_auction():  # §95912(h)(7)
    check_terms(loc(expires=AUCTION_DATE + timedelta(days=26)), policy=POLICY, window=WINDOW, bidder=CA,
                today=T0.date())
    with pytest.raises(GuaranteeExpiresTooSoon):
        check_terms(loc(expires=AUCTION_DATE + timedelta(days=25)), policy=POLICY, window=WINDOW, bidder=CA,
                    today=T0.date())
    with pytest.raises(GuaranteeExpiryRequired):
        check_terms(loc(expires=None), policy=POLICY, window=WINDOW, bidder=CA, today=T0.date())


def test_cash_needs_no_expiry_and_any_given_is_dropped():
    cash = Terms(GuaranteeForm.CASH, Money.of("10.00", "USD"), date(2020, 1, 1), None, "WIRE-1")
    assert check_terms(cash, policy=POLICY, window=WINDOW, bidder=CA, today=T0.date()).expires_on is None


def test_no_guarantee_is_added_or_amended_for_a_rescheduled_window():  # §95912(j)(3)(B), (D)
    rescheduled = AuctionWindow("A", AUCTION_DATE, date(2027, 2, 5), rescheduled=True)
    with pytest.raises(GuaranteeAmendmentProhibited):
        check_terms(loc(), policy=POLICY, window=rescheduled, bidder=CA, today=T0.date())


def test_draws_cash_then_letters_of_credit_then_bonds():  # §95912(h)(9)
    bond = guarantee(GuaranteeForm.BOND, "500.00", gid="bond", expires=date(2027, 4, 1))
    letter = guarantee(GuaranteeForm.LETTER_OF_CREDIT, "300.00", gid="loc", expires=date(2027, 4, 1), minutes=-5)
    cash = guarantee(GuaranteeForm.CASH, "200.00", gid="cash", minutes=10)
    plan = plan_draws([bond, letter, cash], Money.of("650.00", "USD"), date(2027, 2, 26))
    assert [(g.id, str(money.amount)) for g, money in plan] == [("cash", "200.00"), ("loc", "300.00"),
                                                                ("bond", "150.00")]


def test_does_not_draw_on_an_expired_or_foreign_currency_or_unaccepted_guarantee():
    expired = guarantee(GuaranteeForm.LETTER_OF_CREDIT, "300.00", gid="old", expires=date(2027, 2, 1))
    cad = guarantee(GuaranteeForm.CASH, "300.00", gid="cad", currency="CAD")
    pending = guarantee(GuaranteeForm.CASH, "300.00", gid="pending", status=GuaranteeStatus.CONFORMING)
    assert plan_draws([expired, cad, pending], Money.of("100.00", "USD"), date(2027, 2, 26)) == []


def test_the_evaluator_cannot_also_accept():
    g = guarantee(GuaranteeForm.BOND, "10.00", status=GuaranteeStatus.CONFORMING)
    with pytest.raises(SameIndividual):
        g.accept(by="fsa", at=T0)
    g.accept(by="eo", at=T0)
    assert g.status is GuaranteeStatus.ACCEPTED
    with pytest.raises(GuaranteeStateConflict):
        g.accept(by="eo", at=T0)


def test_accepted_value_counts_only_what_accepted_guarantees_still_hold():
    a = guarantee(GuaranteeForm.CASH, "100.00", gid="a")
    a.draw(Money.of("40.00", "USD"))
    b = guarantee(GuaranteeForm.BOND, "50.00", gid="b", status=GuaranteeStatus.CONFORMING)
    assert accepted_value([a, b], "USD") == Money.of("60.00", "USD")


def test_after_settlement_cash_is_returned_and_other_forms_released():  # §95912(i)(3)(E)-(F)
    cash = guarantee(GuaranteeForm.CASH, "100.00")
    cash.draw(Money.of("30.00", "USD"))
    assert cash.after_settlement(T0) == Money.of("70.00", "USD")
    assert cash.status is GuaranteeStatus.CLOSED and cash.held.is_zero


def test_a_non_cash_guarantee_is_kept_for_the_next_auction_only_by_agreement():  # §95912(i)(3)(G)
    bond = guarantee(GuaranteeForm.BOND, "100.00", expires=date(2027, 9, 1))
    with pytest.raises(MultiAuctionNotAgreed):
        bond.carry_over(window=WINDOW, bidder=CA, policy=POLICY, today=T0.date())
    bond.agree_multi_auction()
    assert bond.after_settlement(T0).is_zero and bond.status is GuaranteeStatus.KEPT
    nxt = AuctionWindow("B", date(2027, 5, 19), date(2027, 5, 7))
    bond.carry_over(window=nxt, bidder=CA, policy=POLICY, today=date(2027, 4, 1))
    assert (bond.auction_id, bond.status, bond.held.amount) == ("B", GuaranteeStatus.CONFORMING, Decimal("100.00"))
    with pytest.raises(CashGuaranteeNotKept):
        guarantee(GuaranteeForm.CASH, "1.00").agree_multi_auction()


def test_a_kept_guarantee_expiring_too_soon_cannot_be_carried_over():
    bond = guarantee(GuaranteeForm.BOND, "100.00", expires=date(2027, 6, 1))
    bond.agree_multi_auction()
    bond.after_settlement(T0)
    with pytest.raises(GuaranteeExpiresTooSoon):
        bond.carry_over(window=AuctionWindow("B", date(2027, 5, 19), date(2027, 5, 7)), bidder=CA, policy=POLICY,
                        today=date(2027, 4, 1))


def test_nothing_is_lodged_for_a_cancelled_auction():  # §95912(j)(3)(E)
    cancelled = AuctionWindow("A", AUCTION_DATE, date(2027, 2, 5), cancelled=True)
    with pytest.raises(AuctionCancelled):
        check_terms(loc(), policy=POLICY, window=cancelled, bidder=CA, today=T0.date())
