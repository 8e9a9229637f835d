"""Cryptographic adapters: argon2 passwords, TOTP, keyed person fingerprints, encryption at rest.

All CPU-heavy work (argon2) is synchronous here; async callers run it in a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOTP_PERIOD = 30
TOTP_DIGITS = 6


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Opaque bearer secrets (refresh tokens, tickets, client secrets) have 256 bits of entropy:
    an unkeyed SHA-256 is enough to keep them out of the database in usable form."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Constant work whether or not the account exists (a dummy hash stands in)."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class Totp:
    """RFC 6238 codes; an accepted time step can never be accepted again (no replay)."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    @staticmethod
    def new_secret() -> str:
        return pyotp.random_base32()

    def provisioning_uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
            name=account, issuer_name=self.issuer
        )

    @staticmethod
    def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
        """The time step the code belongs to (now ± one step), if unused; else None."""
        code = (code or "").strip()
        if len(code) != TOTP_DIGITS or not code.isdigit():
            return None
        otp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
        current = int(at.timestamp()) // TOTP_PERIOD
        for step in (current, current - 1, current + 1):
            if hmac.compare_digest(otp.generate_otp(step), code):
                return step if last_step is None or step > last_step else None
        return None


class Fingerprints:
    """Keyed hashes (HMAC-SHA256) of normalised identifying material (§95834)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def of(self, material: str) -> str:
        return hmac.new(self._key, material.encode(), hashlib.sha256).hexdigest()


class SecretBox:
    """AES-256-GCM with a key derived (HKDF) from the configured data encryption key."""

    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=b"capreg-identity", info=b"data-at-rest").derive(
            secret.encode()
        )
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def open(self, sealed: bytes, context: str) -> str:
        return self._aead.decrypt(sealed[:12], sealed[12:], context.encode()).decode()


def basic_credentials(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
