"""The transfer state machine and its deadlines (§95921(a), (i)): pure, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

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
from services.transfers.domain.model import Flag, Instrument, Origin, Status, Transfer, completion_flags
from services.transfers.domain.parties import AccountView, requires_acceptance
from services.transfers.domain.terms import Terms

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def transfer(**changes) -> Transfer:
    values = dict(
        id="tr_1", origin=Origin.REPRESENTATIVE, status=Status.PROPOSED, source_account="H1", source_entity_id="E1",
        source_account_type="holding", jurisdiction="CA", destination_account="H2", destination_entity_id="E2",
        destination_account_type="holding", instrument=Instrument("allowance", "CA", 2026), quantity=100,
        submitted_by="alice", submitted_at=T0, requires_acceptance=True,
        terms=Terms(transaction_type="otc_spot", expected_termination_date=T0.date()),
    )
    values.update(changes)
    return Transfer(**values)  # type: ignore[arg-type]


def test_the_happy_path_runs_through_every_step():
    t = transfer(status=Status.RESERVING)
    assert t.mark_reserved(T0) is False and t.status is Status.PROPOSED
    t.confirm("bob", T0 + timedelta(days=1), eligible=True)
    assert t.status is Status.AWAITING_ACCEPTANCE
    t.accept("carol", T0 + timedelta(days=2), eligible=True)
    assert t.status is Status.AWAITING_APPROVAL
    t.approve("eve", T0 + timedelta(days=2), reason=None, authorized=True)
    assert t.status is Status.RECORDING and t.move_request_id == "tr_1:move"
    assert t.mark_recorded("mv1", T0 + timedelta(days=2), completed_on=T0.date()) == []
    assert t.status is Status.RECORDED


def test_confirmation_window_is_two_calendar_days():  # §95921(a)(1)(B)
    t = transfer()
    assert t.confirm_by == T0 + timedelta(days=2)
    with pytest.raises(ConfirmationWindowClosed):
        t.confirm("bob", T0 + timedelta(days=2, seconds=1), eligible=True)
    transfer().confirm("bob", T0 + timedelta(days=2), eligible=True)


def test_acceptance_gets_what_remains_of_three_days():  # §95921(a)(1)(C)
    t = transfer()
    t.confirm("bob", T0 + timedelta(days=1, hours=23), eligible=True)
    with pytest.raises(AcceptanceWindowClosed):
        t.accept("carol", T0 + timedelta(days=3, seconds=1), eligible=True)


def test_nobody_performs_two_steps():
    t = transfer()
    with pytest.raises(SameIndividualTwice):
        t.confirm("alice", T0, eligible=True)
    t.confirm("bob", T0, eligible=True)
    for who in ("alice", "bob"):
        with pytest.raises(SameIndividualTwice):
            t.accept(who, T0, eligible=True)
    t.accept("carol", T0, eligible=True)
    with pytest.raises(SameIndividualTwice):
        t.approve("carol", T0, reason=None, authorized=True)


def test_only_eligible_representatives_and_the_named_confirmer_may_confirm():
    with pytest.raises(NotARepresentative):
        transfer().confirm("bob", T0, eligible=False)
    with pytest.raises(NotARepresentative):
        transfer(named_confirmer="dan").confirm("bob", T0, eligible=True)
    transfer(named_confirmer="dan").confirm("dan", T0, eligible=True)


def test_steps_out_of_order_are_conflicts():
    with pytest.raises(ActionOutOfOrder):
        transfer().accept("carol", T0, eligible=True)
    with pytest.raises(ActionOutOfOrder):
        transfer().approve("eve", T0, reason=None, authorized=True)
    with pytest.raises(NotExecutiveOfficer):
        transfer(status=Status.AWAITING_APPROVAL).approve("eve", T0, reason=None, authorized=False)


def test_no_acceptance_within_one_entity_or_through_a_clearing_account():  # §95921(a)(2)(B), (d)(3)
    def account(number: str, kind: str, entity: str) -> AccountView:
        return AccountView(number, kind, "entity", entity, "CA", "open")

    assert requires_acceptance(account("H1", "holding", "E1"), account("H2", "holding", "E2"))
    assert not requires_acceptance(account("H1", "holding", "E1"), account("C1", "compliance", "E1"))
    assert not requires_acceptance(account("X1", "exchange_clearing_holding", "E9"), account("H2", "holding", "E2"))
    assert not requires_acceptance(account("H1", "holding", "E1"), account("X1", "exchange_clearing_holding", "E9"))


@pytest.mark.parametrize(("status", "after", "expires"), [
    (Status.RESERVING, timedelta(days=2, seconds=1), True),
    (Status.PROPOSED, timedelta(days=2), False),
    (Status.PROPOSED, timedelta(days=2, seconds=1), True),
    (Status.AWAITING_ACCEPTANCE, timedelta(days=3), False),
    (Status.AWAITING_ACCEPTANCE, timedelta(days=3, seconds=1), True),
    (Status.DEFICIENT, timedelta(days=3, seconds=1), True),
    (Status.AWAITING_APPROVAL, timedelta(days=30), False),  # no deadline: late completion is flagged instead
    (Status.RECORDING, timedelta(days=30), False),
])
def test_deadlines_by_state(status, after, expires):
    t = transfer(status=status)
    assert t.expire_if_due(T0 + after) is expires
    assert (t.status is Status.EXPIRED) is expires


def test_executive_officer_transfers_have_no_deadline_and_execute_when_reserved():  # §95921(a)(2)(A)
    t = transfer(origin=Origin.EXECUTIVE_OFFICER, status=Status.RESERVING, requires_acceptance=False, terms=None)
    assert t.deadline() is None
    assert t.mark_reserved(T0) is True and t.status is Status.RECORDING


def test_a_deficiency_stops_the_request_until_resubmitted_in_time():  # §95921(i)(1)
    t = transfer(status=Status.AWAITING_APPROVAL)
    t.mark_deficient(T0)
    with pytest.raises(DeficiencyOpen):
        t.approve("eve", T0, reason=None, authorized=True)
    with pytest.raises(CorrectionWindowClosed):
        t.resubmit("alice", T0 + timedelta(days=3, seconds=1), Terms(transaction_type="otc_spot"), eligible=True)
    t.resubmit("alice", T0 + timedelta(days=1), Terms(transaction_type="exchange"), eligible=True)
    assert t.status is Status.AWAITING_APPROVAL and t.terms is not None and t.terms.transaction_type == "exchange"


def test_late_completion_flags():  # §95921(a)(3)
    terms = Terms(transaction_type="otc_spot", expected_termination_date=date(2026, 11, 1))
    assert completion_flags(T0, T0 + timedelta(days=3), date(2026, 11, 4), terms) == []
    assert completion_flags(T0, T0 + timedelta(days=3, seconds=1), date(2026, 11, 5), terms) == [
        Flag.LATE_AFTER_SUBMISSION, Flag.LATE_AFTER_TERMINATION]
    not_specified = Terms(transaction_type="otc_spot", termination_not_specified=True)
    assert completion_flags(T0, T0 + timedelta(days=9), date(2026, 11, 11), not_specified) == [
        Flag.LATE_AFTER_SUBMISSION]


def test_records_are_kept_ten_years():  # §95921(h)(2)
    assert transfer().retain_until >= T0.replace(year=T0.year + 10)
