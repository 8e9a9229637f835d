"""The transfer request and its life (§95921(a)): a state machine with the regulation's deadlines.

    reserving ──reserved──▶ proposed ──confirm (a)(1)(B)──▶ awaiting_acceptance ──accept (a)(1)(C)──┐
        │                      │                               │                                     ▼
        └─refused              └─(a)(2)/(d)(3): no acceptance ─┴──────────────────────▶ awaiting_approval
    proposed / awaiting_* ──deficiency (i)(1)──▶ deficient ──corrected resubmission──▶ (previous state)
    awaiting_approval ──approve (a)(1)(D)──▶ recording ──MoveRecorded──▶ recorded ──(i)(2)(D)──▶ reversing ──▶ reversed
                      └─deny──▶ denied          └─MoveRefused (e.g. §95920(b)(4))──▶ denied
    open states past their deadline ──▶ expired;  open states ──withdraw──▶ withdrawn

A transfer the Executive Officer undertakes goes reserving ──reserved──▶ recording directly (§95921(a)(1), (a)(2)(A)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.transfers.domain.calendar import calendar_days
from services.transfers.domain.errors import (
    AcceptanceWindowClosed,
    ActionOutOfOrder,
    ConfirmationWindowClosed,
    CorrectionWindowClosed,
    DeficiencyOpen,
    NotARepresentative,
    NotExecutiveOfficer,
    SameIndividualTwice,
)
from services.transfers.domain.terms import Terms

CONFIRM_DAYS = 2  # §95921(a)(1)(B)
ACCEPT_DAYS = 3  # §95921(a)(1)(C), (a)(3)(A)
LATE_AFTER_TERMINATION_DAYS = 3  # §95921(a)(3)(B)
RETENTION_YEARS = 10  # §95921(h)(2)


class Status(StrEnum):
    RESERVING = "reserving"
    PROPOSED = "proposed"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    AWAITING_APPROVAL = "awaiting_approval"
    DEFICIENT = "deficient"
    RECORDING = "recording"
    RECORDED = "recorded"
    REFUSED = "refused"
    DENIED = "denied"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REVERSING = "reversing"
    REVERSED = "reversed"


OPEN = frozenset({Status.RESERVING, Status.PROPOSED, Status.AWAITING_ACCEPTANCE, Status.AWAITING_APPROVAL,
                  Status.DEFICIENT})
FINAL_WITHOUT_MOVE = frozenset({Status.REFUSED, Status.DENIED, Status.EXPIRED, Status.WITHDRAWN})


class Origin(StrEnum):
    REPRESENTATIVE = "representative"  # §95921(a)(1)(A)
    EXECUTIVE_OFFICER = "executive_officer"  # §95921(a)(1), (a)(2)(A)


class Flag(StrEnum):
    LATE_AFTER_SUBMISSION = "completed_more_than_3_days_after_submission"  # §95921(a)(3)(A)
    LATE_AFTER_TERMINATION = "completed_more_than_3_days_after_expected_termination"  # §95921(a)(3)(B)


@dataclass(frozen=True)
class Instrument:
    instrument_type: str  # allowance | offset
    jurisdiction: str  # issuing jurisdiction
    vintage: int | None = None


@dataclass
class Transfer:
    id: str
    origin: Origin
    status: Status
    source_account: str
    source_entity_id: str | None
    source_account_type: str
    jurisdiction: str  # the source entity's jurisdiction: whose Executive Officer decides
    destination_account: str
    destination_entity_id: str | None
    destination_account_type: str
    instrument: Instrument
    quantity: int
    submitted_by: str
    submitted_at: datetime
    requires_acceptance: bool
    terms: Terms | None = None
    named_confirmer: str | None = None  # §95921(b)(1)(A): the second initiating representative, if named
    version: int = 1
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    determined_by: str | None = None
    determined_at: datetime | None = None
    determination_reason: str | None = None
    outcome_code: str | None = None
    outcome_message: str | None = None
    move_request_id: str | None = None
    move_id: str | None = None
    recorded_at: datetime | None = None
    reversal_request_id: str | None = None
    reversal_move_id: str | None = None
    reversed_at: datetime | None = None
    status_before_deficiency: Status | None = None
    closed_at: datetime | None = None
    flags: list[str] = field(default_factory=list)
    note: str | None = None  # free text of an EO-initiated transfer

    # ---- deadlines ------------------------------------------------------------------------
    @property
    def confirm_by(self) -> datetime:
        return calendar_days(self.submitted_at, CONFIRM_DAYS)  # §95921(a)(1)(B)

    @property
    def accept_by(self) -> datetime:
        return calendar_days(self.submitted_at, ACCEPT_DAYS)  # §95921(a)(1)(C)

    @property
    def correct_by(self) -> datetime:
        return self.accept_by  # §95921(i)(1)(C): within the time limit of (a)(1)(C)

    @property
    def retain_until(self) -> datetime:
        return self.submitted_at + timedelta(days=365 * RETENTION_YEARS + 3)  # §95921(h)(2), leap days

    def deadline(self) -> datetime | None:
        """When this request expires if nobody acts, or None when no deadline runs."""
        if self.origin is Origin.EXECUTIVE_OFFICER:
            return None
        if self.status in (Status.RESERVING, Status.PROPOSED):
            return self.confirm_by
        if self.status in (Status.AWAITING_ACCEPTANCE, Status.DEFICIENT):
            return self.accept_by
        return None

    def parties(self) -> set[str]:
        return {p for p in (self.submitted_by, self.confirmed_by, self.accepted_by) if p}

    # ---- the steps -------------------------------------------------------------------------
    def _require(self, *states: Status, action: str) -> None:
        if self.status not in states:
            if self.status is Status.DEFICIENT:
                raise DeficiencyOpen(transfer_id=self.id)
            raise ActionOutOfOrder(f"cannot {action} a transfer that is {self.status}", status=str(self.status),
                                   transfer_id=self.id)

    def _not_again(self, individual: str, step: str) -> None:
        if individual in self.parties() or individual == self.determined_by:
            raise SameIndividualTwice(f"you already performed a step of this transfer; {step} needs another "
                                      "individual", transfer_id=self.id)

    def mark_reserved(self, at: datetime) -> bool:
        """The registry reserved the instruments. True when the move must be executed now (EO transfers)."""
        self._require(Status.RESERVING, action="reserve")
        if self.origin is Origin.EXECUTIVE_OFFICER:
            self._start_recording(self.submitted_by, at)
            return True
        self.status = Status.PROPOSED
        return False

    def mark_refused(self, code: str, message: str, at: datetime) -> None:
        self._require(Status.RESERVING, action="refuse")
        self._close(Status.REFUSED, at, code, message)

    def mark_reservation_lost(self, reason: str, at: datetime) -> None:
        """The registry released the reservation by itself: the request can no longer be executed."""
        self._require(Status.PROPOSED, Status.AWAITING_ACCEPTANCE, Status.AWAITING_APPROVAL, Status.DEFICIENT,
                      action="lose the reservation of")
        self._close(Status.REFUSED, at, "reservation_released", reason)

    def confirm(self, individual: str, at: datetime, *, eligible: bool) -> None:
        """§95921(a)(1)(B): the primary or another alternate representative of the same entity."""
        if not eligible or (self.named_confirmer is not None and individual != self.named_confirmer):
            raise NotARepresentative("the confirmation needs the primary or another alternate representative of "
                                     "the source entity (the one named on the request, if any)")
        self._not_again(individual, "the confirmation")
        self._require(Status.PROPOSED, action="confirm")
        if at > self.confirm_by:
            raise ConfirmationWindowClosed(confirm_by=self.confirm_by.isoformat())
        self.confirmed_by, self.confirmed_at = individual, at
        self.status = Status.AWAITING_ACCEPTANCE if self.requires_acceptance else Status.AWAITING_APPROVAL

    def accept(self, individual: str, at: datetime, *, eligible: bool) -> None:
        """§95921(a)(1)(C): a representative of the destination, within what remains of three days."""
        if not eligible:
            raise NotARepresentative("the acceptance needs the primary or an alternate representative of the "
                                     "destination account")
        self._not_again(individual, "the acceptance")
        self._require(Status.AWAITING_ACCEPTANCE, action="accept")
        if at > self.accept_by:
            raise AcceptanceWindowClosed(accept_by=self.accept_by.isoformat())
        self.accepted_by, self.accepted_at = individual, at
        self.status = Status.AWAITING_APPROVAL

    def approve(self, officer: str, at: datetime, *, reason: str | None, authorized: bool) -> None:
        """§95921(a)(1)(D): the Executive Officer determines the request meets the requirements."""
        if not authorized:
            raise NotExecutiveOfficer(jurisdiction=self.jurisdiction)
        self._not_again(officer, "the determination")
        self._require(Status.AWAITING_APPROVAL, action="approve")
        self.determined_by, self.determined_at, self.determination_reason = officer, at, reason
        self._start_recording(officer, at)

    def deny(self, officer: str, at: datetime, *, reason: str, authorized: bool) -> None:
        if not authorized:
            raise NotExecutiveOfficer(jurisdiction=self.jurisdiction)
        self._not_again(officer, "the determination")
        self._require(Status.AWAITING_APPROVAL, Status.DEFICIENT, action="deny")
        self.determined_by, self.determined_at, self.determination_reason = officer, at, reason
        self._close(Status.DENIED, at, "denied_by_executive_officer", reason)

    def _start_recording(self, by: str, at: datetime) -> None:
        self.status = Status.RECORDING
        self.move_request_id = f"{self.id}:move"

    def mark_recorded(self, move_id: str, at: datetime, *, completed_on: date) -> list[str]:
        """The registry recorded the move. Returns the §95921(a)(3) flags raised."""
        self._require(Status.RECORDING, action="record")
        self.status, self.move_id, self.recorded_at, self.closed_at = Status.RECORDED, move_id, at, at
        if self.origin is Origin.REPRESENTATIVE:
            self.flags = completion_flags(self.submitted_at, at, completed_on, self.terms)
        return list(self.flags)

    def mark_move_refused(self, code: str, message: str, at: datetime) -> None:
        self._require(Status.RECORDING, action="refuse")
        self._close(Status.DENIED, at, code, message)

    def expire_if_due(self, at: datetime) -> bool:
        deadline = self.deadline()
        if self.status not in OPEN or deadline is None or at <= deadline:
            return False
        stage = self.status
        self._close(Status.EXPIRED, at, "deadline_passed", f"the request was {stage} when its deadline passed")
        return True

    def withdraw(self, individual: str, at: datetime, *, eligible: bool) -> None:
        """§95921(i)(1)(D): the submitting entity may withdraw an unfinished request."""
        if not eligible:
            raise NotARepresentative("only a representative of the source entity may withdraw the request")
        self._require(*(OPEN - {Status.RESERVING}), action="withdraw")
        self._close(Status.WITHDRAWN, at, "withdrawn", f"withdrawn by {individual}")

    def _close(self, status: Status, at: datetime, code: str, message: str) -> None:
        self.status, self.closed_at, self.outcome_code, self.outcome_message = status, at, code, message

    # ---- deficiencies (§95921(i)) ----------------------------------------------------------
    def mark_deficient(self, at: datetime) -> None:
        """§95921(i)(1): a deficiency found before recording stops the request until corrected."""
        if self.status is Status.DEFICIENT:
            return
        self._require(Status.PROPOSED, Status.AWAITING_ACCEPTANCE, Status.AWAITING_APPROVAL,
                      action="flag a deficiency on")
        self.status_before_deficiency, self.status = self.status, Status.DEFICIENT

    def resubmit(self, individual: str, at: datetime, terms: Terms, *, eligible: bool) -> None:
        """§95921(i)(1)(C): the corrected request, within the time limit; the flow resumes where it was."""
        if not eligible:
            raise NotARepresentative("only a representative of the source entity may resubmit the request")
        self._require(Status.DEFICIENT, action="resubmit")
        if at > self.correct_by:
            raise CorrectionWindowClosed(correct_by=self.correct_by.isoformat())
        self.terms = terms
        self.status = self.status_before_deficiency or Status.AWAITING_APPROVAL
        self.status_before_deficiency = None

    def start_reversal(self, officer: str, at: datetime, *, authorized: bool) -> None:
        """§95921(i)(2)(D): the Executive Officer instructs the reversal of a recorded transfer."""
        if not authorized:
            raise NotExecutiveOfficer(jurisdiction=self.jurisdiction)
        self._require(Status.RECORDED, action="reverse")
        self.status = Status.REVERSING
        self.reversal_request_id = f"{self.id}:reversal"

    def mark_reversed(self, move_id: str, at: datetime) -> None:
        self._require(Status.REVERSING, action="mark reversed")
        self.status, self.reversal_move_id, self.reversed_at = Status.REVERSED, move_id, at

    def mark_reversal_refused(self, code: str, message: str) -> None:
        self._require(Status.REVERSING, action="refuse the reversal of")
        self.status, self.reversal_request_id = Status.RECORDED, None
        self.note = f"reversal refused by the registry: {code}: {message}"


def completion_flags(submitted_at: datetime, completed_at: datetime, completed_on: date,
                     terms: Terms | None) -> list[str]:
    """§95921(a)(3): the parties may be in violation when the process completes late."""
    flags: list[str] = []
    if completed_at > calendar_days(submitted_at, ACCEPT_DAYS):
        flags.append(Flag.LATE_AFTER_SUBMISSION)  # §95921(a)(3)(A)
    etd = terms.expected_termination_date if terms else None
    if etd is not None and (completed_on - etd).days > LATE_AFTER_TERMINATION_DAYS:
        flags.append(Flag.LATE_AFTER_TERMINATION)  # §95921(a)(3)(B)
    return flags
