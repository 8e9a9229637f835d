"""The signing keys (RS256) of access tokens: stored encrypted, cached in memory, rotated live.

Every identity instance re-reads the key table every `refresh_seconds`, so a rotation made by
one instance (or by the CLI) reaches all of them well within the publish lead time.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.identity.adapters.crypto import SecretBox
from services.identity.adapters.orm import signing_keys
from services.identity.domain.keys import KeyState, published_kids, schedule, signing_kid

_KEY_LOCK = 0x6B65_7973  # "keys": one creator of the first key at a time
ALG = "RS256"


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    created_at: datetime
    signs_from: datetime
    private: RSAKey
    public_jwk: dict[str, Any]

    @property
    def state(self) -> KeyState:
        return KeyState(self.kid, self.created_at, self.signs_from)


class KeyRing:
    def __init__(self, box: SecretBox, *, retention: timedelta, refresh_seconds: float) -> None:
        self.box = box
        self.retention = retention
        self.refresh_seconds = refresh_seconds
        self._keys: dict[str, LoadedKey] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self.session_factory: async_sessionmaker[AsyncSession] | None = None

    # -- loading ---------------------------------------------------------------------------
    def is_fresh(self) -> bool:
        return time.monotonic() - self._loaded_at < self.refresh_seconds

    async def ensure_fresh(self, *, force: bool = False) -> None:
        if not force and self.is_fresh():
            return
        async with self._lock:
            if not force and time.monotonic() - self._loaded_at < self.refresh_seconds:
                return
            assert self.session_factory is not None, "key ring not started"
            async with self.session_factory() as session:
                rows = (await session.execute(select(signing_keys))).mappings().all()
            keys = dict(self._keys)
            for row in rows:
                if row["kid"] not in keys:
                    private = RSAKey.import_key(json.loads(self.box.open(row["private_jwk_enc"], row["kid"])))
                    keys[row["kid"]] = LoadedKey(row["kid"], row["created_at"], row["signs_from"], private,
                                                 dict(row["public_jwk"]))
            self._keys = keys
            self._loaded_at = time.monotonic()

    async def ensure_initial_key(self, now: datetime) -> None:
        """At first start there is no key: create one that signs at once."""
        assert self.session_factory is not None
        async with self.session_factory() as session, session.begin():
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _KEY_LOCK})
            if (await session.execute(select(signing_keys.c.kid).limit(1))).first() is None:
                await self.add_key(session, signs_from=now, now=now, created_by="system:first-start")
        await self.ensure_fresh(force=True)

    async def add_key(self, session: AsyncSession, *, signs_from: datetime, now: datetime, created_by: str) -> str:
        kid = f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        private = await asyncio.to_thread(RSAKey.generate_key, 2048, {"kid": kid, "use": "sig", "alg": ALG})
        public = private.as_dict(private=False)
        await session.execute(
            signing_keys.insert().values(
                kid=kid, alg=ALG, private_jwk_enc=self.box.seal(json.dumps(private.as_dict(private=True)), kid),
                public_jwk=public, created_at=now, signs_from=signs_from, created_by=created_by,
            )
        )
        return kid

    # -- use -------------------------------------------------------------------------------------
    def _states(self) -> list[KeyState]:
        return [k.state for k in self._keys.values()]

    def signing_key(self, now: datetime) -> LoadedKey:
        kid = signing_kid(self._states(), now)
        if kid is None:
            raise RuntimeError("no signing key loaded")
        return self._keys[kid]

    def sign(self, claims: dict[str, Any], now: datetime) -> str:
        key = self.signing_key(now)
        return jwt.encode({"alg": ALG, "kid": key.kid, "typ": "at+jwt"}, claims, key.private)

    def jwks(self, now: datetime) -> dict[str, Any]:
        kids = published_kids(self._states(), now, self.retention)
        return {"keys": [self._keys[k].public_jwk for k in kids]}

    def verification_keys(self, now: datetime) -> KeySet:
        kids = published_kids(self._states(), now, self.retention)
        return KeySet([self._keys[k].private for k in kids])

    def describe(self, now: datetime) -> list[dict[str, Any]]:
        return [
            {"kid": v.kid, "state": v.state, "signs_from": v.signs_from, "signs_until": v.signs_until,
             "published_until": v.published_until}
            for v in schedule(self._states(), now, self.retention)
        ]
