"""A stand-in token issuer for service tests that run without the identity service.

It signs real RS256 JWTs and serves a real JWKS over HTTP, so the shared verification is
exercised exactly as in production. End-to-end tests use the identity service itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class TestIssuer:
    __test__ = False  # not a pytest class

    def __init__(self, issuer: str = "http://capreg-test-issuer", audience: str = "capreg") -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys: list[RSAKey] = [RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex, "use": "sig"})]

    def rotate(self) -> None:
        self.keys.insert(0, RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex, "use": "sig"}))

    def retire_old_keys(self) -> None:
        self.keys = self.keys[:1]

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(self.keys).as_dict(private=False))  # type: ignore[arg-type]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        async def jwks() -> dict[str, Any]:
            return self.jwks()

        @app.get("/readyz")
        async def ready() -> dict[str, bool]:
            return {"ready": True}

        return app

    def mint(
        self,
        subject: str,
        *,
        roles: Iterable[str] = ("individual",),
        scopes: Iterable[str] = (),
        mfa: bool = True,
        auth_time: float | None = None,
        ttl: int = 600,
        audience: str | None = None,
        issued_at: float | None = None,
        **extra: Any,
    ) -> str:
        now = issued_at if issued_at is not None else time.time()
        claims = {
            "iss": self.issuer,
            "aud": audience or self.audience,
            "sub": subject,
            "iat": int(now),
            "exp": int(now) + ttl,
            "jti": uuid.uuid4().hex,
            "roles": sorted(roles),
            "scope": " ".join(scopes),
            "amr": ["pwd", "otp"] if mfa else ["pwd"],
            "auth_time": int(auth_time if auth_time is not None else now),
            **extra,
        }
        key = self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
