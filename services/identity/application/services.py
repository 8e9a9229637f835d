"""What the use cases need besides the unit of work: policies and cryptographic helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from services.identity.adapters.crypto import Fingerprints, Passwords, SecretBox, Totp
from services.identity.adapters.keys import KeyRing
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.config import Settings
from services.identity.domain.credentials import LockoutPolicy
from services.identity.domain.model import KycPolicy
from shared.clock import Clock


@dataclass
class IdentityServices:
    settings: Settings
    clock: Clock
    passwords: Passwords
    totp: Totp
    fingerprints: Fingerprints
    box: SecretBox
    keyring: KeyRing
    kyc: KycPolicy
    lockout: LockoutPolicy
    uow_factory: Callable[[], IdentityUnitOfWork]

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock,
                      uow_factory: Callable[[], IdentityUnitOfWork]) -> IdentityServices:
        box = SecretBox(settings.data_encryption_key.get_secret_value())
        longest = max(settings.access_token_ttl_seconds, settings.step_up_token_ttl_seconds,
                      settings.machine_token_ttl_seconds)
        return cls(
            settings=settings,
            clock=clock,
            passwords=Passwords(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib,
                                parallelism=settings.argon2_parallelism),
            totp=Totp(settings.totp_issuer),
            fingerprints=Fingerprints(settings.person_key_secret.get_secret_value()),
            box=box,
            keyring=KeyRing(box, retention=timedelta(seconds=longest + settings.key_retirement_grace_seconds),
                            refresh_seconds=settings.key_refresh_seconds),
            kyc=KycPolicy(document_window_days=settings.document_window_days,
                          bank_statement_max_age_months=settings.bank_statement_max_age_months,
                          felony_lookback_years=settings.felony_lookback_years),
            lockout=LockoutPolicy(threshold=settings.lockout_threshold,
                                  duration=timedelta(seconds=settings.lockout_seconds)),
            uow_factory=uow_factory,
        )
