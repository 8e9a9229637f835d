"""Pure rules of the auction's life: the notice (§95912(c)), deadlines, the window (§95912(j)),
the reserve price (§95911(c)) and certification (§95912(i))."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.auction.domain.clearing_input import JurisdictionOffer, PoolKind
from services.auction.domain.errors import (
    AlreadyCleared,
    BiddingWindowClosed,
    BiddingWindowNotClosed,
    DelayTooLong,
    ExchangeRateNotSet,
    NotAJointAuction,
    NoticeChangeDeadlinePassed,
    NoticeIncomplete,
    NoticeTooLate,
    RescheduleTooLate,
    ReservePriceNotAnnounced,
    UnsupportedJurisdictions,
)
from services.auction.domain.lifecycle import Auction, AuctionStatus, Notice, Phase, PurchaseLimitRates
from services.auction.domain.reserve import (
    announced_reserve_prices,
    first_business_day_of_december,
    reserve_price_usd,
)

PACIFIC = ZoneInfo("America/Los_Angeles")
OPENS = datetime(2027, 3, 10, 18, tzinfo=UTC)  # 10:00 in Sacramento
CLOSES = OPENS + timedelta(hours=3)
NOTICE = Notice("apply here", "sealed bids", "single round", "approvals", {"CA": 1, "QC": 1})
OFFERS = {PoolKind.CURRENT: {"CA": JurisdictionOffer(state_owned=60_000), "QC": JurisdictionOffer(state_owned=30_000)}}


def auction(now: datetime = datetime(2027, 1, 4, 17, tzinfo=UTC), **overrides: object) -> Auction:
    values: dict[str, object] = dict(
        auction_id="auc_1", jurisdictions=("QC", "CA"), opens_at=OPENS, closes_at=CLOSES, notice=NOTICE,
        offers=OFFERS, reserve_prices={"CA": Decimal("27.50"), "QC": Decimal("36.00")},
        purchase_limit_rates=PurchaseLimitRates(), now=now, tz=PACIFIC, published_by="admin",
    )
    values.update(overrides)
    return Auction.publish(**values)  # type: ignore[arg-type]


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PACIFIC)


def test_the_notice_may_be_published_on_the_60th_day_before_the_auction_and_not_after():
    last_day = at(date(2027, 1, 9), 23)
    assert auction(now=last_day).jurisdictions == ("CA", "QC")  # California first
    with pytest.raises(NoticeTooLate):
        auction(now=at(date(2027, 1, 10), 0))


def test_a_first_quarter_notice_states_the_annual_allowances_and_every_text():
    with pytest.raises(NoticeIncomplete) as refused:
        auction(notice=Notice("", "b", "c", "d", None))
    assert refused.value.details["missing"] == ["application_instructions", "annual_allowances.CA",
                                                "annual_allowances.QC"]
    may = datetime(2027, 5, 19, 17, tzinfo=UTC)
    assert auction(notice=Notice("a", "b", "c", "d", None), opens_at=may, closes_at=may + timedelta(hours=3))


def test_only_california_alone_or_with_quebec_holds_an_auction():
    with pytest.raises(UnsupportedJurisdictions):
        auction(jurisdictions=("QC",))
    with pytest.raises(UnsupportedJurisdictions):
        auction(jurisdictions=("CA", "NS"))


def test_phases_follow_the_calendar_dates_in_the_program_time_zone():
    a = auction()
    assert a.application_deadline == date(2027, 2, 8)
    assert a.guarantee_deadline == date(2027, 2, 26)
    assert a.phase(at(date(2027, 2, 8), 23), PACIFIC) is Phase.APPLICATIONS_OPEN
    assert a.phase(at(date(2027, 2, 9), 0), PACIFIC) is Phase.APPLICATIONS_CLOSED
    assert a.phase(OPENS, PACIFIC) is Phase.BIDDING_OPEN
    assert a.phase(CLOSES, PACIFIC) is Phase.BIDDING_CLOSED


def test_linked_quantities_change_only_in_a_joint_auction_until_30_days_before():
    a = auction()
    a.amend_offers("QC", PoolKind.CURRENT, JurisdictionOffer(state_owned=40_000), at(date(2027, 2, 8)), PACIFIC)
    assert a.total_offered(PoolKind.CURRENT) == 100_000
    with pytest.raises(NoticeChangeDeadlinePassed):
        a.amend_offers("QC", PoolKind.CURRENT, JurisdictionOffer(state_owned=1), at(date(2027, 2, 9)), PACIFIC)
    alone = auction(jurisdictions=("CA",), offers={PoolKind.CURRENT: {"CA": JurisdictionOffer(state_owned=5)}})
    with pytest.raises(NotAJointAuction):
        alone.amend_offers("CA", PoolKind.CURRENT, JurisdictionOffer(state_owned=9), at(date(2027, 1, 5)), PACIFIC)
    with pytest.raises(NoticeIncomplete):  # only California offers consigned allowances
        a.amend_offers("QC", PoolKind.ADVANCE, JurisdictionOffer(consigned={"x": 5}), at(date(2027, 1, 5)), PACIFIC)


def test_the_opening_is_delayed_by_one_hour_at_most_in_all():
    a = auction()
    before = OPENS - timedelta(minutes=5)
    a.delay(40, before)
    a.delay(20, before)
    assert (a.opens_at, a.closes_at) == (OPENS + timedelta(hours=1), CLOSES + timedelta(hours=1))
    with pytest.raises(DelayTooLong):
        a.delay(1, before)


def test_a_window_is_rescheduled_early_enough_for_the_guarantees_and_not_after_it_closed():
    a = auction()
    now = OPENS + timedelta(minutes=30)
    with pytest.raises(RescheduleTooLate):
        a.reschedule(OPENS + timedelta(days=15), CLOSES + timedelta(days=15), now, PACIFIC, 14)
    a.reschedule(OPENS + timedelta(days=14), CLOSES + timedelta(days=14), now, PACIFIC, 14)
    assert a.rescheduled and a.auction_date == date(2027, 3, 24)
    with pytest.raises(BiddingWindowNotClosed):
        a.reschedule(OPENS + timedelta(days=15), CLOSES + timedelta(days=15), CLOSES + timedelta(days=14), PACIFIC,
                     14)


def test_bids_bind_once_the_window_closes_and_clearing_waits_for_it():
    a = auction()
    a.require_bidding_open(OPENS)
    with pytest.raises(BiddingWindowClosed):
        a.require_bidding_open(CLOSES)
    with pytest.raises(BiddingWindowNotClosed):
        a.mark_cleared(CLOSES - timedelta(seconds=1))
    a.mark_cleared(CLOSES)
    with pytest.raises(AlreadyCleared):
        a.mark_cleared(CLOSES)


def test_certification_sets_payment_seven_days_after_the_notices():
    a = auction()
    a.mark_cleared(CLOSES)
    a.certify(meets_requirements=True, note=None, by="eo", now=at(date(2027, 3, 11), 9), tz=PACIFIC)
    assert a.status is AuctionStatus.CERTIFIED and a.payment_due_on == date(2027, 3, 18)


def test_reserve_prices_are_announced_the_first_business_day_of_december():
    assert first_business_day_of_december(2026) == date(2026, 12, 1)  # a Tuesday
    assert first_business_day_of_december(2024) == date(2024, 12, 2)  # 1 December was a Sunday
    assert first_business_day_of_december(2029) == date(2029, 12, 3)  # ... a Saturday
    configured = {"CA": {2027: Decimal("27.50")}, "QC": {2027: Decimal("36.00")}}
    with pytest.raises(ReservePriceNotAnnounced):
        announced_reserve_prices(configured, ("CA", "QC"), 2027, date(2026, 11, 30))
    assert announced_reserve_prices(configured, ("CA",), 2027, date(2026, 12, 1)) == {"CA": Decimal("27.50")}
    with pytest.raises(ReservePriceNotAnnounced):
        announced_reserve_prices(configured, ("CA",), 2028, date(2027, 12, 6))


def test_a_joint_reserve_is_the_higher_partner_price_after_conversion_rounded_up():
    prices = {"CA": Decimal("27.50"), "QC": Decimal("38.00")}
    assert reserve_price_usd(prices, Decimal("1.35")) == Decimal("28.15")  # 38.00 / 1.35 = 28.148...
    assert reserve_price_usd(prices, Decimal("1.40")) == Decimal("27.50")  # 27.142... < 27.50
    with pytest.raises(ExchangeRateNotSet):
        reserve_price_usd(prices, None)
    assert reserve_price_usd({"CA": Decimal("27.50")}, None) == Decimal("27.50")
