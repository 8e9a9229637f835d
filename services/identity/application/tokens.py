"""What goes into an access token (the claim format shared/auth/verify.py expects)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACR_MFA = "urn:capreg:acr:mfa"  # password + TOTP at sign-in
ACR_STEP_UP = "urn:capreg:acr:step-up"  # a fresh TOTP proof on top of a session
ACR_CLIENT = "urn:capreg:acr:client"  # a machine authenticated with its client secret
AMR_MFA = ["pwd", "otp"]


@dataclass
class TokenSubject:
    """Who a token is for and how they authenticated; built by the use cases, signed by the server."""

    sub: str
    roles: list[str]
    amr: list[str]
    acr: str
    auth_time: datetime
    issued_at: datetime
    ttl_seconds: int
    client_id: str
    session_id: str | None = None
    jurisdiction: str | None = None
    ended_sessions: list[str] = field(default_factory=list)
    refresh_expires_at: datetime | None = None

    @property
    def is_machine(self) -> bool:
        return self.sub.startswith("client:")


def access_token_claims(subject: TokenSubject, *, scope: str, issuer: str, audience: str) -> dict[str, Any]:
    iat = subject.issued_at.timestamp()  # millisecond precision: see CredentialState.next_issued_at
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject.sub,
        "roles": sorted(subject.roles),
        "scope": scope,
        "amr": list(subject.amr),
        "acr": subject.acr,
        "auth_time": int(subject.auth_time.timestamp()),
        "iat": round(iat, 3),
        "exp": round(iat + subject.ttl_seconds, 3),
        "jti": secrets.token_hex(16),
        "client_id": subject.client_id,
    }
    if subject.session_id:
        claims["sid"] = subject.session_id
    if subject.jurisdiction:
        claims["jurisdiction"] = subject.jurisdiction
    return claims
