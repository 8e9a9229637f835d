"""The signed-in person, kept in an encrypted cookie; CSRF tokens; token refresh.

The session cookie (`capreg_session`) holds the person's access and refresh tokens, their id, name
and roles, encrypted and authenticated with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived
from `cookie_secret` with HKDF. It is HttpOnly, SameSite=Lax and Secure (unless the portal is served
over plain http for development). The browser never sees a token in clear; the portal keeps no state,
so any number of instances can serve the same person.

Dependencies for routes:
- `current_user(request) -> User` — the signed-in person (refreshes the access token when it is about
  to expire); raises `SignInRequired` (the app answers with a redirect to /signin) otherwise;
- `optional_user(request) -> User | None`;
- `get_api(request) -> Api` — an `Api` with the person's bearer token;
- `csrf_protect` — installed on the whole app: every POST/PUT/PATCH/DELETE must carry the
  `csrf_token` form field (or the `X-CSRF-Token` header) equal to the `capreg_csrf` cookie
  (double-submit; the cookie value is HMAC-signed so it cannot be planted by a sibling domain).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, Request, Response

from services.portal.api import Api, ApiError
from services.portal.config import Settings

SESSION_COOKIE = "capreg_session"
CSRF_COOKIE = "capreg_csrf"
PENDING_COOKIE = "capreg_signin"  # PKCE verifier + state during the code flow
REGISTRATION_COOKIE = "capreg_registration"  # id + registration token of a registration in progress
CSRF_FIELD = "csrf_token"
REFRESH_MARGIN_SECONDS = 30
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(Exception):
    """No (valid) session: the app redirects to /signin?next=..."""


class CsrfFailure(Exception):
    """A state-changing request without the right CSRF token (403)."""


@dataclass(frozen=True)
class User:
    individual_id: str
    name: str
    roles: frozenset[str]
    access_token: str
    refresh_token: str
    locale: str = "en"
    kind: str = "individual"

    def has_role(self, role: str, jurisdiction: str | None = None) -> bool:
        if jurisdiction is None:
            return role in self.roles or any(r.startswith(role + ":") for r in self.roles)
        return f"{role}:{jurisdiction}" in self.roles

    def jurisdictions(self, role: str) -> list[str]:
        return sorted(r.split(":", 1)[1] for r in self.roles if r.startswith(role + ":"))

    def has_any(self, *roles: str) -> bool:
        return any(self.has_role(r) for r in roles)

    @property
    def is_staff(self) -> bool:
        return any(":" in r for r in self.roles)


# -- encryption of cookie values ---------------------------------------------------------------------------
@dataclass
class CookieSealer:
    secret: bytes
    _fernets: dict[str, Fernet] = field(default_factory=dict)

    def _fernet(self, purpose: str) -> Fernet:
        if purpose not in self._fernets:
            key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"capreg-portal",
                       info=purpose.encode()).derive(self.secret)
            self._fernets[purpose] = Fernet(base64.urlsafe_b64encode(key))
        return self._fernets[purpose]

    def seal(self, purpose: str, value: dict[str, Any]) -> str:
        return self._fernet(purpose).encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()

    def open(self, purpose: str, token: str | None, max_age: int) -> dict[str, Any] | None:
        if not token:
            return None
        try:
            data = json.loads(self._fernet(purpose).decrypt(token.encode(), ttl=max_age))
        except (InvalidToken, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def sign(self, value: str) -> str:
        mac = hmac.new(self.secret, b"csrf:" + value.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{value}.{mac}"

    def verify(self, signed: str | None) -> bool:
        if not signed or "." not in signed:
            return False
        value, _, _ = signed.rpartition(".")
        return hmac.compare_digest(self.sign(value), signed)


def sealer(request: Request) -> CookieSealer:
    return request.app.state.sealer  # type: ignore[no-any-return]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=settings_of(request).secure_cookies,
                        samesite="lax", path="/")


# -- the session, loaded once per request by the middleware in app.py ------------------------------------
def load_session(request: Request) -> None:
    s = settings_of(request)
    request.state.session = sealer(request).open("session", request.cookies.get(SESSION_COOKIE),
                                                 s.session_max_age_seconds)
    request.state.session_changed = False
    csrf = request.cookies.get(CSRF_COOKIE)
    request.state.csrf_new = not sealer(request).verify(csrf)
    request.state.csrf_token = sealer(request).sign(secrets.token_urlsafe(24)) if request.state.csrf_new else csrf


def store_session(request: Request, response: Response) -> None:
    if request.state.csrf_new:
        set_cookie(response, request, CSRF_COOKIE, request.state.csrf_token, None)
    if not request.state.session_changed:
        return
    session = request.state.session
    if session is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
    else:
        set_cookie(response, request, SESSION_COOKIE, sealer(request).seal("session", session),
                   settings_of(request).session_max_age_seconds)


def start_session(request: Request, tokens: dict[str, Any], me: dict[str, Any]) -> None:
    claims = jwt_claims(str(tokens["access_token"]))
    request.state.session = {
        "at": tokens["access_token"], "rt": tokens.get("refresh_token", ""),
        "exp": time.time() + float(tokens.get("expires_in") or 300),
        "sub": str(me.get("individual_id") or claims.get("sub", "")),
        "name": str(me.get("legal_name") or ""), "kind": str(me.get("kind") or "individual"),
        "roles": sorted(set(claims.get("roles") or [])),
    }
    request.state.session_changed = True


def end_session(request: Request) -> None:
    request.state.session = None
    request.state.session_changed = True


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of an access token received straight from identity (for display and navigation only:
    the services verify every token they get; the portal never grants anything on these claims)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def locale_of(request: Request) -> str:
    return str(getattr(request.state, "locale", None) or settings_of(request).default_locale)


# -- refresh (one at a time per session: identity revokes a family whose refresh token is replayed) ------
async def _refresh(request: Request, session: dict[str, Any]) -> dict[str, Any]:
    state = request.app.state
    old = str(session.get("rt") or "")
    lock: asyncio.Lock = state.refresh_locks.setdefault(hashlib.sha256(old.encode()).hexdigest(), asyncio.Lock())
    async with lock:
        done = state.refreshed.get(old)
        if done is not None and done[0] > time.time():
            return dict(done[1])
        api = Api(state.http, state.settings)
        try:
            tokens = await api.token({"grant_type": "refresh_token", "refresh_token": old})
        except ApiError as error:
            if error.status in (400, 401, 403):
                raise SignInRequired() from error
            raise
        new = {**session, "at": tokens["access_token"], "rt": tokens.get("refresh_token", old),
               "exp": time.time() + float(tokens.get("expires_in") or 300),
               "roles": sorted(jwt_claims(str(tokens["access_token"])).get("roles") or session.get("roles", []))}
        # another request of the same browser may still carry the old cookie for a moment
        state.refreshed[old] = (time.time() + 60, new)
        for key, (until, _) in list(state.refreshed.items()):
            if until < time.time():
                state.refreshed.pop(key, None)
                state.refresh_locks.pop(hashlib.sha256(key.encode()).hexdigest(), None)
        return new


async def optional_user(request: Request) -> User | None:
    session = getattr(request.state, "session", None)
    if not session:
        return None
    if float(session.get("exp", 0)) - REFRESH_MARGIN_SECONDS < time.time():
        try:
            session = await _refresh(request, session)
        except SignInRequired:
            end_session(request)
            return None
        request.state.session = session
        request.state.session_changed = True
    user = User(individual_id=str(session.get("sub", "")), name=str(session.get("name", "")),
                roles=frozenset(session.get("roles") or []), access_token=str(session.get("at", "")),
                refresh_token=str(session.get("rt", "")), locale=locale_of(request),
                kind=str(session.get("kind", "individual")))
    request.state.user = user
    return user


async def current_user(request: Request) -> User:
    user = await optional_user(request)
    if user is None:
        raise SignInRequired()
    return user


async def get_api(request: Request, user: User = Depends(current_user)) -> Api:
    return Api(request.app.state.http, settings_of(request), user.access_token)


async def csrf_protect(request: Request) -> None:
    """Installed as an app-wide dependency: refuses unsafe methods without the session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not (cookie and sent and sealer(request).verify(cookie) and hmac.compare_digest(cookie, sent)):
        raise CsrfFailure()
