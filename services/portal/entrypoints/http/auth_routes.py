"""Sign-in with identity (authorization code + PKCE S256), sign-out (revocation), language, home page."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.portal import i18n
from services.portal.api import Api, ApiError, api_of
from services.portal.session import (
    PENDING_COOKIE,
    User,
    end_session,
    optional_user,
    sealer,
    set_cookie,
    settings_of,
    start_session,
)
from services.portal.templating import render

router = APIRouter()
SIGN_IN_SECONDS = 600


def safe_next(target: str | None) -> str:
    """Only a local path (never //host or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@router.get("/")
async def home(request: Request, user: User | None = Depends(optional_user)) -> Response:
    return render(request, "home.html", {}, user=user)


@router.get("/signin")
async def sign_in(request: Request, next: str | None = None) -> Response:
    s = settings_of(request)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    query = urlencode({"response_type": "code", "client_id": s.oauth_client_id, "redirect_uri": s.redirect_uri,
                       "state": state, "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    response = RedirectResponse(f"{s.identity_browser_url}/oauth/authorize?{query}", status_code=303)
    pending = {"verifier": verifier, "state": state, "next": safe_next(next)}
    set_cookie(response, request, PENDING_COOKIE, sealer(request).seal("signin", pending), SIGN_IN_SECONDS)
    return response


@router.get("/callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None, error_description: str | None = None) -> Response:
    locale = request.state.locale
    pending = sealer(request).open("signin", request.cookies.get(PENDING_COOKIE), SIGN_IN_SECONDS)
    if error or not code:
        reason = error_description or error or "no authorization code"
        return render(request, "message.html", {"error": i18n.translate("error.signin", locale, reason=reason)},
                      status_code=400)
    if not pending or not state or not secrets.compare_digest(str(pending.get("state")), state):
        return render(request, "message.html",
                      {"error": i18n.translate("error.signin", locale, reason="state mismatch; start again")},
                      status_code=400)
    s = settings_of(request)
    api = api_of(request)
    try:
        tokens = await api.token({"grant_type": "authorization_code", "code": code, "redirect_uri": s.redirect_uri,
                                  "code_verifier": str(pending["verifier"])})
        me: dict[str, Any] = await api.get("identity", "/v1/me", token=str(tokens["access_token"]))
    except ApiError as failure:
        return render(request, "message.html",
                      {"error": i18n.translate("error.signin", locale, reason=failure.text)}, status_code=400)
    start_session(request, tokens, me)
    response = RedirectResponse(safe_next(str(pending.get("next") or "/")), status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


@router.post("/signout")
async def sign_out(request: Request, user: User | None = Depends(optional_user)) -> Response:
    if user is not None:
        api: Api = api_of(request)
        try:  # RFC 7009: revoking the refresh token ends the person's session in every service
            await api.request("identity", "POST", "/oauth/revoke",
                              data={"token": user.refresh_token, "token_type_hint": "refresh_token",
                                    "client_id": settings_of(request).oauth_client_id})
        except ApiError:
            pass  # the cookie goes anyway; identity's session ends at its own limit
    end_session(request)
    request.state.user = None
    return render(request, "message.html", {"notice": i18n.translate("signin.signed_out", request.state.locale)},
                  user=None)


@router.post("/language")
async def language(request: Request, locale: str = Form(...), next: str = Form("/")) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if locale in i18n.LOCALES:
        set_cookie(response, request, i18n.LANG_COOKIE, locale, 365 * 86400)
    return response
