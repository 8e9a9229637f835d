"""§95834 rules, pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.identity.domain import errors
from services.identity.domain.model import (
    Address,
    Application,
    BankProof,
    FelonyAttestation,
    GovernmentId,
    Individual,
    Kind,
    KycPolicy,
    Status,
    add_months,
    check_application,
    local_date,
)

TODAY = date(2026, 11, 23)
POLICY = KycPolicy()


def application(**changes) -> Application:
    values = dict(
        legal_name="Ada Lovelace", email="ada@example.org", phone="+1 415 555 0100", date_of_birth=date(1985, 12, 10),
        jurisdiction="CA",
        residence=Address(line1="1 Market St", city="San Francisco", region="CA", postal_code="94105", country="US"),
        government_id=GovernmentId("passport", "X123", "U.S. Department of State", TODAY + timedelta(days=1)),
        bank=BankProof("First Bank", TODAY - timedelta(days=30)),
        attestation=FelonyAttestation(convicted_within_lookback=False, last_conviction_on=None, truthful=True),
    )
    values.update(changes)
    return Application(**values)


def test_accepts_an_eligible_application():
    check_application(application(), TODAY, POLICY)


def test_refuses_an_id_that_expires_today_or_earlier():
    for expiry in (TODAY, TODAY - timedelta(days=1)):
        gid = GovernmentId("passport", "X123", "State", expiry)
        with pytest.raises(errors.IdDocumentExpired):
            check_application(application(government_id=gid), TODAY, POLICY)


def test_a_statement_exactly_three_months_old_is_accepted_and_an_older_one_refused():
    check_application(application(bank=BankProof("B", add_months(TODAY, -3))), TODAY, POLICY)
    with pytest.raises(errors.BankStatementTooOld):
        check_application(application(bank=BankProof("B", add_months(TODAY, -3) - timedelta(days=1))), TODAY, POLICY)


def test_a_felony_conviction_within_five_years_makes_the_registrant_ineligible():
    recent = FelonyAttestation(False, date(2022, 1, 1), True)
    with pytest.raises(errors.IneligibleFelonyConviction):
        check_application(application(attestation=recent), TODAY, POLICY)
    with pytest.raises(errors.IneligibleFelonyConviction):
        check_application(application(attestation=FelonyAttestation(True, None, True)), TODAY, POLICY)
    older = FelonyAttestation(False, date(2021, 11, 22), True)  # five years and a day ago
    check_application(application(attestation=older), TODAY, POLICY)


def test_the_attestation_must_be_made_and_the_registrant_an_adult():
    with pytest.raises(errors.InvalidInput):
        check_application(application(attestation=FelonyAttestation(False, None, False)), TODAY, POLICY)
    with pytest.raises(errors.InvalidInput):
        check_application(application(date_of_birth=date(2010, 1, 1)), TODAY, POLICY)


def test_the_calendar_of_the_jurisdiction_decides_the_date():
    # 03:00 UTC on the 24th is still the 23rd in California and already the 24th in Nova Scotia... minus one
    at = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert local_date(at, "CA") == date(2026, 11, 23)
    assert local_date(at, "NS") == date(2026, 11, 23)
    assert local_date(datetime(2026, 11, 24, 5, 0, tzinfo=UTC), "NS") == date(2026, 11, 24)


def person(status: Status = Status.REGISTERED, **changes) -> Individual:
    values = dict(id="ind_1", kind=Kind.INDIVIDUAL, status=status, jurisdiction="CA", legal_name="Ada",
                  email="a@example.org", registered_at=datetime(2026, 11, 1, 12, tzinfo=UTC),
                  id_expires_on=date(2030, 1, 1))
    values.update(changes)
    return Individual(**values)


def test_documents_are_refused_after_thirty_days_from_the_request():
    p = person()
    p.ensure_document_window_open(p.registered_at + timedelta(days=30), POLICY)
    with pytest.raises(errors.DocumentWindowClosed):
        p.ensure_document_window_open(p.registered_at + timedelta(days=30, seconds=1), POLICY)


def test_submission_requires_the_id_and_the_bank_statement():
    p = person()
    with pytest.raises(errors.MissingDocuments) as refused:
        p.submit_documents({"government_id"}, p.registered_at, POLICY)
    assert refused.value.details["missing"] == ["bank_statement"]
    p.submit_documents({"government_id", "bank_statement"}, p.registered_at, POLICY)
    assert p.status is Status.DOCUMENTS_SUBMITTED


def test_a_registrar_cannot_decide_their_own_registration_and_a_denial_needs_a_reason():
    p = person(Status.DOCUMENTS_SUBMITTED)
    with pytest.raises(errors.Forbidden):
        p.approve(by="ind_1", at=datetime(2026, 11, 2, tzinfo=UTC))
    with pytest.raises(errors.InvalidInput):
        p.deny(by="stf_1", reason="  ", at=datetime(2026, 11, 2, tzinfo=UTC))


def test_lifecycle_from_submission_to_active_suspended_and_deactivated():
    p = person(Status.DOCUMENTS_SUBMITTED)
    at = datetime(2026, 11, 2, tzinfo=UTC)
    p.approve(by="stf_1", at=at)
    with pytest.raises(errors.InvalidStatus):
        p.approve(by="stf_1", at=at)
    p.activate(at)
    p.ensure_may_sign_in(at)
    p.suspend("inquiry")
    with pytest.raises(errors.AccountNotActive):
        p.ensure_may_sign_in(at)
    p.reinstate()
    p.deactivate("left")
    assert p.changes == ["approved", "active", "suspended", "active", "deactivated"]


def test_an_expired_id_blocks_sign_in_until_renewed():
    p = person(Status.ACTIVE, id_expires_on=date(2026, 12, 1))
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)  # the 1st in California: expired
    with pytest.raises(errors.IdExpired):
        p.ensure_may_sign_in(at)
    p.ensure_may_sign_in(at, allow_expired_id=True)
    with pytest.raises(errors.IdDocumentExpired):
        p.renew_id(date(2026, 11, 30), at)
    p.renew_id(date(2031, 12, 1), at)
    p.ensure_may_sign_in(at)


def test_staff_are_not_subject_to_the_id_expiry_check():
    p = person(Status.ACTIVE, kind=Kind.STAFF, id_expires_on=None)
    p.ensure_may_sign_in(datetime(2040, 1, 1, tzinfo=UTC))
