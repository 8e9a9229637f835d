"""JWT access-token verification against the identity service's JWKS.

Keys are cached and re-fetched when a token names an unknown key id (key rotation), at most
once per `min_refresh_seconds`. Revocations arrive on the bus (identity.credentials.v1) and are
kept per subject as "tokens issued before T are void".
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from shared.auth.principal import Principal
from shared.clock import Clock, SystemClock
from shared.errors import Unauthenticated

log = logging.getLogger(__name__)
ALLOWED_ALGORITHMS = ["RS256", "ES256", "EdDSA"]


class JwksClient:
    def __init__(self, url: str, *, ttl_seconds: float = 300.0, min_refresh_seconds: float = 1.0) -> None:
        self.url = url
        self.ttl = ttl_seconds
        self.min_refresh = min_refresh_seconds
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self) -> KeySet:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())

    async def key_set(self, *, kid: str | None = None) -> KeySet:
        async with self._lock:
            now = time.monotonic()
            stale = self._keys is None or now - self._fetched_at > self.ttl
            unknown = kid is not None and self._keys is not None and not _has_kid(self._keys, kid)
            if stale or (unknown and now - self._fetched_at >= self.min_refresh):
                try:
                    self._keys = await self._fetch()
                    self._fetched_at = now
                except (httpx.HTTPError, ValueError) as exc:
                    if self._keys is None:
                        raise Unauthenticated("token keys unavailable") from exc
                    log.warning("jwks refresh failed, using cached keys: %s", exc)
            assert self._keys is not None
            return self._keys


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(k.kid == kid for k in keys.keys)


class RevocationList:
    """subject -> instant before which every token of that subject is void."""

    def __init__(self) -> None:
        self._revoked_before: dict[str, datetime] = {}
        self._revoked_jti: set[str] = set()

    def revoke_subject(self, subject: str, before: datetime) -> None:
        current = self._revoked_before.get(subject)
        if current is None or before > current:
            self._revoked_before[subject] = before

    def revoke_token(self, jti: str) -> None:
        self._revoked_jti.add(jti)

    def is_revoked(self, subject: str, issued_at: datetime | None, jti: str | None) -> bool:
        if jti and jti in self._revoked_jti:
            return True
        before = self._revoked_before.get(subject)
        return before is not None and (issued_at is None or issued_at <= before)


class TokenVerifier:
    def __init__(
        self,
        jwks: JwksClient,
        *,
        issuer: str,
        audience: str,
        revocations: RevocationList | None = None,
        leeway_seconds: int = 5,
        clock: Clock | None = None,
    ) -> None:
        self.jwks = jwks
        self.clock = clock or SystemClock()
        self.issuer = issuer
        self.audience = audience
        self.revocations = revocations or RevocationList()
        self.leeway = leeway_seconds

    async def verify(self, token: str) -> Principal:
        try:
            header = extract_compact(token.encode()).protected
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise Unauthenticated("malformed access token") from exc
        keys = await self.jwks.key_set(kid=header.get("kid"))
        try:
            decoded = jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            # maybe the key rotated since our last fetch
            keys = await self.jwks.key_set(kid=header.get("kid"))
            try:
                decoded = jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS)
            except (JoseError, ValueError):
                raise Unauthenticated("invalid access token signature") from exc
        claims = decoded.claims
        self._validate_claims(claims)
        principal = principal_from_claims(claims)
        if self.revocations.is_revoked(principal.subject, principal.issued_at, principal.token_id):
            raise Unauthenticated("access token revoked")
        return principal

    def _validate_claims(self, claims: dict[str, Any]) -> None:
        """iss, aud, sub, and exp/iat/nbf judged by the service's clock.

        In production the service clock is the system clock. A development or test clock moved away
        from it (`allow_clock_control`, manual test clocks) would otherwise void either every token
        issued before the move or every token issued after it, so there a token that is valid by
        either clock is accepted; the two never differ by more than the configured offset.
        """
        service_now = int(self.clock.now().timestamp())
        system_now = int(time.time())
        instants = [service_now] if abs(service_now - system_now) <= self.leeway else [service_now, system_now]
        first_error: JoseError | None = None
        for now in instants:
            registry = jwt.JWTClaimsRegistry(
                now=now,
                leeway=self.leeway,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            )
            try:
                registry.validate(claims)
                return
            except JoseError as exc:
                first_error = first_error or exc
        assert first_error is not None
        raise Unauthenticated(f"access token rejected: {first_error.error}") from first_error


def _ts(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), UTC)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    scope = claims.get("scope") or ""
    amr = claims.get("amr") or []
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(claims.get("roles") or []),
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(scope),
        amr=tuple(amr),
        acr=claims.get("acr"),
        auth_time=_ts(claims.get("auth_time")),
        issued_at=_ts(claims.get("iat")),
        token_id=claims.get("jti"),
        client_id=claims.get("client_id"),
        extra={k: v for k, v in claims.items() if k in ("name", "jurisdiction", "sid")},
    )
