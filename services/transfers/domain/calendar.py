"""Calendar days and business days.

§95921(a) counts calendar days ("within two days", "three days"): a window of N days is
N × 24 hours from the instant of submission. Where the regulation means business days it says
so (§95921(i)(2)(D)); those skip weekends and the jurisdiction's holidays, counted on the
jurisdiction's local calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def calendar_days(start: datetime, days: int) -> datetime:
    """The instant `days` calendar days after `start`."""
    return start + timedelta(days=days)


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends and the listed holidays are not business days; dates are local to `tz`."""

    tz: tzinfo
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, tz: tzinfo, holidays: Iterable[date] = ()) -> BusinessCalendar:
        return cls(tz=tz, holidays=frozenset(holidays))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def add_business_days(self, start: date, count: int) -> date:
        """The `count`-th business day after `start` (start itself never counts)."""
        if count < 1:
            raise ValueError("count must be positive")
        day, seen = start, 0
        while seen < count:
            day += timedelta(days=1)
            if self.is_business_day(day):
                seen += 1
        return day

    def end_of_business_days_after(self, notified_at: datetime, count: int) -> datetime:
        """The instant (UTC) at which `count` business days after `notified_at` have fully passed."""
        last = self.add_business_days(self.local_date(notified_at), count)
        return datetime.combine(last + timedelta(days=1), time.min, tzinfo=self.tz).astimezone(UTC)
