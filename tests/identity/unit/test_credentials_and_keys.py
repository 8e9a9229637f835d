"""Lockout, token instants across revocations, the signing-key schedule, the token claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.identity.application.tokens import TokenSubject, access_token_claims
from services.identity.domain import errors
from services.identity.domain.credentials import CredentialState, LockoutPolicy, check_password
from services.identity.domain.keys import KeyState, published_kids, schedule, signing_kid
from shared.auth.verify import principal_from_claims

T0 = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)


def test_five_failures_lock_for_the_configured_time_and_success_resets_the_count():
    state, policy = CredentialState(), LockoutPolicy(threshold=5, duration=timedelta(minutes=15))
    assert [state.record_failure(T0, policy) for _ in range(5)] == [False] * 4 + [True]
    with pytest.raises(errors.AccountLocked):
        state.ensure_not_locked(T0 + timedelta(minutes=14))
    state.ensure_not_locked(T0 + timedelta(minutes=15))
    assert state.record_failure(T0 + timedelta(minutes=16), policy) is False  # a fresh count after the lock
    state.record_success()
    assert state.failed_attempts == 0


def test_tokens_issued_after_a_revocation_are_strictly_later_even_when_the_clock_stands_still():
    state = CredentialState()
    first = state.next_issued_at(T0)
    assert first == T0.replace(microsecond=123000)
    before = state.revoke_all(T0)
    assert before == first and state.issued_before_revocation(first)
    second = state.next_issued_at(T0)  # same instant: a manual clock, or the same millisecond
    assert second > before and not state.issued_before_revocation(second)
    assert state.revocation_floor(T0 - timedelta(hours=1)) == second


def test_password_policy():
    check_password("correct horse battery staple", min_length=12, email="ada@example.org", legal_name="Ada Lovelace")
    for weak in ("short", "aaaaaaaaaaaaaaaa", "my name is lovelace!", "adalove@example.org is me"):
        with pytest.raises(errors.WeakPassword):
            check_password(weak, min_length=12, email="adalove@example.org", legal_name="Ada Lovelace")


def test_a_new_key_is_published_before_it_signs_and_the_old_one_stays_while_its_tokens_live():
    old = KeyState("old", T0 - timedelta(days=30), T0 - timedelta(days=30))
    new = KeyState("new", T0, T0 + timedelta(minutes=1))
    retention = timedelta(minutes=12)
    assert signing_kid([old, new], T0) == "old"
    assert published_kids([old, new], T0, retention) == ["old", "new"]
    assert signing_kid([old, new], T0 + timedelta(minutes=1)) == "new"
    assert published_kids([old, new], T0 + timedelta(minutes=12), retention) == ["old", "new"]
    assert published_kids([old, new], T0 + timedelta(minutes=13), retention) == ["new"]
    assert [v.state for v in schedule([old, new], T0 + timedelta(minutes=5), retention)] == ["retiring", "active"]


def test_the_claims_are_what_the_shared_verifier_reads():
    subject = TokenSubject(sub="ind_1", roles=["individual", "registrar:CA"], amr=["pwd", "otp"],
                           acr="urn:capreg:acr:mfa", auth_time=T0, issued_at=T0.replace(microsecond=123000),
                           ttl_seconds=300, client_id="capreg-api", session_id="ses_1")
    claims = access_token_claims(subject, scope="capreg", issuer="http://id", audience="capreg")
    principal = principal_from_claims(claims)
    assert principal.subject == "ind_1" and principal.has_role("registrar", "CA")
    assert principal.amr == ("pwd", "otp") and principal.mfa_age_seconds(T0 + timedelta(seconds=10)) == pytest.approx(
        10, abs=1)
    assert principal.issued_at == T0.replace(microsecond=123000)
    assert claims["exp"] - claims["iat"] == pytest.approx(300)
    assert principal.extra["sid"] == "ses_1"
