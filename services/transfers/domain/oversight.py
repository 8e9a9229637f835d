"""Oversight rules around a transfer: deficiencies (§95921(i)), documentation (§95921(c), (h)(1)),
exchange clearing holding accounts (§95921(d)(2), (d)(4))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.transfers.domain.calendar import BusinessCalendar, calendar_days
from services.transfers.domain.errors import (
    ActionOutOfOrder,
    DeficiencyCorrected,
    ReversalNotYetAllowed,
)

POST_RECORDING_CORRECTION_BUSINESS_DAYS = 5  # §95921(i)(2)(D)
DOCUMENTATION_DAYS = 5  # §95921(c)
CLEARING_RECORDS_DAYS = 10  # §95921(h)(1): exchange clearing account holders, calendar days
CLEARING_PASS_ON_DAYS = 5  # §95921(d)(2)
CLEARING_FAILURE_NOTICE_DAYS = 3  # §95921(d)(4): calendar days

BEFORE_RECORDING = "before_recording"
AFTER_RECORDING = "after_recording"
KINDS = ("information", "holding_limit", "other")
RESPONSIBLE = ("source", "destination")


@dataclass
class Deficiency:
    id: str
    transfer_id: str
    stage: str
    kind: str
    responsible: str
    problem: str
    fields: list[str]
    found_by: str
    found_at: datetime
    correct_by: datetime
    status: str = "open"  # open | corrected | lapsed | reversed | closed
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None

    def correct(self, individual: str, at: datetime, note: str) -> None:
        """§95921(i)(1)(C), (i)(2)(D): the parties correct the deficiency within their time limit."""
        if self.status != "open":
            raise ActionOutOfOrder(f"the deficiency is {self.status}", deficiency_id=self.id)
        self.status, self.resolved_by, self.resolved_at, self.resolution = "corrected", individual, at, note

    def check_reversal_allowed(self, at: datetime) -> None:
        """§95921(i)(2)(D): reversal only when not corrected within five business days of notification."""
        if self.stage != AFTER_RECORDING:
            raise ActionOutOfOrder("only a deficiency found after recording can lead to a reversal")
        if self.status == "corrected":
            raise DeficiencyCorrected(deficiency_id=self.id)
        if self.status not in ("open", "lapsed"):
            raise ActionOutOfOrder(f"the deficiency is {self.status}", deficiency_id=self.id)
        if at < self.correct_by:
            raise ReversalNotYetAllowed(correct_by=self.correct_by.isoformat(), deficiency_id=self.id)


def post_recording_correct_by(found_at: datetime, calendar: BusinessCalendar) -> datetime:
    """§95921(i)(2)(D): five business days after notification, on the jurisdiction's calendar."""
    return calendar.end_of_business_days_after(found_at, POST_RECORDING_CORRECTION_BUSINESS_DAYS)


def documentation_due(requested_at: datetime, *, clearing_account_holder: bool) -> datetime:
    """§95921(c): five days; §95921(h)(1): ten calendar days for an exchange clearing account holder."""
    days = CLEARING_RECORDS_DAYS if clearing_account_holder else DOCUMENTATION_DAYS
    return calendar_days(requested_at, days)


def clearing_pass_on_due(received_at: datetime) -> datetime:
    return calendar_days(received_at, CLEARING_PASS_ON_DAYS)  # §95921(d)(2)


def clearing_failure_notice_due(failed_at: datetime) -> datetime:
    return calendar_days(failed_at, CLEARING_FAILURE_NOTICE_DAYS)  # §95921(d)(4)
