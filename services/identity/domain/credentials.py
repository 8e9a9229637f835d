"""Credential rules: one credential per person, lockout, password policy, token instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.identity.domain.errors import AccountLocked, CredentialResetRequired, WeakPassword

MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    duration: timedelta = timedelta(minutes=15)


@dataclass
class CredentialState:
    failed_attempts: int = 0
    locked_until: datetime | None = None
    must_reset: bool = False
    tokens_valid_after: datetime | None = None
    last_token_iat: datetime | None = None

    def ensure_not_locked(self, now: datetime) -> None:
        if self.locked_until is not None and now < self.locked_until:
            raise AccountLocked(locked_until=self.locked_until.isoformat())

    def ensure_usable(self) -> None:
        if self.must_reset:
            raise CredentialResetRequired()

    def record_failure(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Count a failed attempt; return True when this failure locks the account."""
        if self.locked_until is not None and now >= self.locked_until:
            self.failed_attempts, self.locked_until = 0, None
        self.failed_attempts += 1
        if self.failed_attempts >= policy.threshold:
            self.locked_until = now + policy.duration
            self.failed_attempts = 0
            return True
        return False

    def record_success(self) -> None:
        self.failed_attempts, self.locked_until = 0, None

    # -- token instants ------------------------------------------------------------------------
    def next_issued_at(self, now: datetime) -> datetime:
        """A token's iat: strictly after the last revocation, on a millisecond grid.

        Other services void "every token of S issued at or before T" (CredentialsRevoked);
        a token issued after a revocation must therefore carry a later instant even when the
        clock has not moved (a manual clock, or two requests in the same millisecond).
        """
        iat = to_millis(now)
        if self.tokens_valid_after is not None and iat <= self.tokens_valid_after:
            iat = to_millis(self.tokens_valid_after) + MILLISECOND
        self.last_token_iat = max(iat, self.last_token_iat) if self.last_token_iat else iat
        return iat

    def revocation_floor(self, now: datetime) -> datetime:
        """The instant that covers every token issued so far (and `now`)."""
        before = to_millis(now)
        for instant in (self.last_token_iat, self.tokens_valid_after):
            if instant is not None and instant > before:
                before = instant
        return before

    def revoke_all(self, now: datetime) -> datetime:
        """Void every token issued so far; return the instant to publish as `revoked_before`."""
        self.tokens_valid_after = self.revocation_floor(now)
        return self.tokens_valid_after

    def issued_before_revocation(self, iat: datetime) -> bool:
        return self.tokens_valid_after is not None and iat <= self.tokens_valid_after


def to_millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def check_password(password: str, *, min_length: int, email: str, legal_name: str) -> None:
    problems = []
    if len(password) < min_length:
        problems.append(f"at least {min_length} characters")
    if len(password) > 256:
        problems.append("at most 256 characters")
    lowered = password.casefold()
    local = email.split("@", 1)[0].casefold()
    if len(local) >= 4 and local in lowered:
        problems.append("must not contain the e-mail address")
    if any(len(part) >= 4 and part.casefold() in lowered for part in legal_name.split()):
        problems.append("must not contain the name")
    if len(set(password)) < 5:
        problems.append("too few distinct characters")
    if problems:
        raise WeakPassword(problems=problems)
