"""Business days on a jurisdiction's holiday calendar (§95921(i)(2)(D)) and the oversight deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.transfers.config import Settings
from services.transfers.domain.calendar import BusinessCalendar
from services.transfers.domain.errors import DeficiencyCorrected, ReversalNotYetAllowed
from services.transfers.domain.oversight import (
    AFTER_RECORDING,
    Deficiency,
    clearing_failure_notice_due,
    clearing_pass_on_due,
    documentation_due,
    post_recording_correct_by,
)
from services.transfers.domain.parties import AccountView, linked

CALIFORNIA = BusinessCalendar.of(ZoneInfo("America/Los_Angeles"), [date(2026, 12, 25), date(2027, 1, 1)])


def test_five_business_days_skip_weekends_and_holidays():
    monday_morning = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)  # 09:00 in California
    # Tue 22, Wed 23, Thu 24, (Fri 25 holiday, weekend), Mon 28, Tue 29 -> over at midnight, local time
    assert post_recording_correct_by(monday_morning, CALIFORNIA) == datetime(2026, 12, 30, 8, 0, tzinfo=UTC)


def test_business_days_count_on_the_local_date():
    late_friday_utc = datetime(2026, 11, 7, 2, 0, tzinfo=UTC)  # still Friday the 6th in California
    assert CALIFORNIA.local_date(late_friday_utc) == date(2026, 11, 6)
    assert CALIFORNIA.add_business_days(date(2026, 11, 6), 1) == date(2026, 11, 9)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)), st.integers(min_value=1, max_value=30))
def test_the_nth_business_day_is_a_business_day_with_n_before_it(start, n):
    end = CALIFORNIA.add_business_days(start, n)
    assert CALIFORNIA.is_business_day(end)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(CALIFORNIA.is_business_day(d) for d in between) == n


def test_the_holiday_calendar_is_configurable_per_jurisdiction(monkeypatch):
    assert date(2026, 12, 25) in Settings().holidays["CA"]
    monkeypatch.setenv("CAPREG_TRANSFERS_HOLIDAYS", '{"QC": ["2027-06-24", "2027-07-01"]}')
    assert Settings().holidays == {"QC": [date(2027, 6, 24), date(2027, 7, 1)]}


def test_calendar_day_deadlines():
    t = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert documentation_due(t, clearing_account_holder=False) - t == timedelta(days=5)  # §95921(c)
    assert documentation_due(t, clearing_account_holder=True) - t == timedelta(days=10)  # §95921(h)(1)
    assert clearing_pass_on_due(t) - t == timedelta(days=5)  # §95921(d)(2)
    assert clearing_failure_notice_due(t) - t == timedelta(days=3)  # §95921(d)(4)


def _deficiency(correct_by: datetime) -> Deficiency:
    return Deficiency(id="d1", transfer_id="tr_1", stage=AFTER_RECORDING, kind="information", responsible="source",
                      problem="p", fields=[], found_by="adm", found_at=correct_by - timedelta(days=7),
                      correct_by=correct_by)


def test_reversal_only_after_an_uncorrected_deficiency_lapses():  # §95921(i)(2)(D)
    due = datetime(2026, 12, 30, 8, 0, tzinfo=UTC)
    d = _deficiency(due)
    with pytest.raises(ReversalNotYetAllowed):
        d.check_reversal_allowed(due - timedelta(seconds=1))
    d.check_reversal_allowed(due)
    d.correct("alice", due - timedelta(days=1), "fixed")
    with pytest.raises(DeficiencyCorrected):
        d.check_reversal_allowed(due + timedelta(days=1))


def test_nova_scotia_stands_alone():
    groups = [["CA", "QC"], ["NS"]]
    assert linked("CA", "QC", groups) and linked("NS", "NS", groups)
    assert not linked("CA", "NS", groups) and not linked("QC", "NS", groups)


def test_viewing_agents_see_but_never_act():  # §95832
    account = AccountView("H1", "holding", "entity", "E1", "CA", "open",
                          (("p", "primary"), ("a", "alternate"), ("v", "viewing_agent")))
    assert account.can_act("p") and account.can_act("a") and not account.can_act("v")
    assert account.sees("v") and account.actors() == ["a", "p"] and account.primary() == ["p"]
