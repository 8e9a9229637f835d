"""Signing-key schedule: rotation without downtime.

A new key is published in the JWKS `publish_lead` before it starts signing, so every verifier
has seen it by then; the key it replaces stays published until every token it signed has
expired (`max_token_ttl + grace` after it stopped signing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class KeyState:
    kid: str
    created_at: datetime
    signs_from: datetime


@dataclass(frozen=True)
class KeyView:
    kid: str
    state: str  # "pending" (published, not yet signing), "active", "retiring", "retired"
    signs_from: datetime
    signs_until: datetime | None
    published_until: datetime | None


def schedule(keys: list[KeyState], now: datetime, retention: timedelta) -> list[KeyView]:
    """Classify keys at `now`; `retention` = longest token lifetime + grace."""
    ordered = sorted(keys, key=lambda k: (k.signs_from, k.created_at))
    started = [k for k in ordered if k.signs_from <= now]
    active = started[-1] if started else (ordered[0] if ordered else None)
    views = []
    for i, key in enumerate(ordered):
        successor = next((k for k in ordered[i + 1:] if k.signs_from > key.signs_from), None)
        signs_until = successor.signs_from if successor else None
        published_until = signs_until + retention if signs_until else None
        if active is not None and key.kid == active.kid:
            state = "active"
        elif key.signs_from > now:
            state = "pending"
        elif published_until is not None and now < published_until:
            state = "retiring"
        else:
            state = "retired"
        views.append(KeyView(key.kid, state, key.signs_from, signs_until, published_until))
    return views


def signing_kid(keys: list[KeyState], now: datetime) -> str | None:
    return next((v.kid for v in schedule(keys, now, timedelta(0)) if v.state == "active"), None)


def published_kids(keys: list[KeyState], now: datetime, retention: timedelta) -> list[str]:
    return [v.kid for v in schedule(keys, now, retention) if v.state in ("active", "pending", "retiring")]
