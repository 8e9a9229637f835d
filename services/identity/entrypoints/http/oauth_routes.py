"""OAuth 2 endpoints (token, revocation, introspection, authorization), JWKS and discovery, and
the JSON session API for API clients (POST /v1/sessions = the mfa-login grant)."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.base import OAuth2Error
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, EmailStr, Field

from services.identity.application import authentication as auth
from services.identity.application.authorization import AuthorizedPerson
from services.identity.application.clients import API_CLIENT, MFA_LOGIN, STEP_UP
from services.identity.application.tokens import ACR_MFA, ACR_STEP_UP
from services.identity.domain.errors import DomainError
from services.identity.entrypoints.http.deps import (
    form_items,
    identity,
    oauth_error_body,
    oauth_refusal,
    origin,
    run_oauth,
)
from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal

router = APIRouter(tags=["oauth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _json(result: tuple[int, Any, list[tuple[str, str]]]) -> JSONResponse:
    status, body, headers = result
    return JSONResponse(body, status_code=status, headers={**dict(headers), **NO_STORE})


# -- the standard endpoints (application/x-www-form-urlencoded) ----------------------------------
@router.post("/oauth/token", summary="Token endpoint (RFC 6749 §3.2)")
async def token(request: Request) -> Response:
    form = await form_items(request)
    try:
        result, _ = await run_oauth(request, lambda s, r: s.create_token_response(r), form=form)
    except DomainError as refusal:
        status = 429 if refusal.status == 429 else 400
        return JSONResponse(oauth_error_body(refusal), status_code=status, headers=NO_STORE)
    return _json(result)


@router.post("/oauth/revoke", summary="Token revocation (RFC 7009)")
async def revoke(request: Request) -> Response:
    form = await form_items(request)
    result, _ = await run_oauth(request, lambda s, r: s.create_endpoint_response("revocation", r), form=form)
    return _json(result)


@router.post("/oauth/introspect", summary="Token introspection (RFC 7662)")
async def introspect(request: Request) -> Response:
    form = await form_items(request)
    result, _ = await run_oauth(request, lambda s, r: s.create_endpoint_response("introspection", r), form=form)
    return _json(result)


@router.get("/.well-known/jwks.json", summary="The public keys of access tokens")
async def jwks(request: Request) -> Response:
    svc = identity(request).svc
    await svc.keyring.ensure_fresh()
    max_age = max(svc.settings.key_publish_lead_seconds // 2, 0)
    return JSONResponse(svc.keyring.jwks(svc.clock.now()), headers={"Cache-Control": f"public, max-age={max_age}"})


@router.get("/.well-known/openid-configuration", summary="Authorization server metadata")
@router.get("/.well-known/oauth-authorization-server", include_in_schema=False)
async def discovery(request: Request) -> dict[str, Any]:
    s = identity(request).svc.settings
    base = str(request.base_url).rstrip("/")
    return {
        "issuer": s.jwt_issuer,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", MFA_LOGIN, STEP_UP],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "acr_values_supported": [ACR_MFA, ACR_STEP_UP, "urn:capreg:acr:client"],
        "claims_supported": ["iss", "aud", "sub", "roles", "scope", "amr", "acr", "auth_time", "jti", "iat", "exp",
                             "client_id", "sid", "jurisdiction"],
        "scopes_supported": ["capreg"],
    }


# -- the JSON session API (what API clients use) --------------------------------------------------
class SignIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    totp: str = Field(pattern=r"^\d{6}$")
    scope: str | None = None


class Refresh(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class StepUp(BaseModel):
    totp: str = Field(pattern=r"^\d{6}$")
    refresh_token: str | None = Field(default=None, max_length=200)


async def _grant(request: Request, form: list[tuple[str, str]]) -> dict[str, Any]:
    (status, body, _), call = await run_oauth(request, lambda s, r: s.create_token_response(r), form=form, query=[])
    if status != 200:
        raise oauth_refusal(body, call)
    return dict(body)


@router.post("/v1/sessions", tags=["sessions"], summary="Sign in: e-mail + password + TOTP -> tokens")
async def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    """Ends every older session of the person (`ended_sessions` says which)."""
    form = [("grant_type", MFA_LOGIN), ("client_id", API_CLIENT), ("username", body.email),
            ("password", body.password), ("totp", body.totp)]
    if body.scope:
        form.append(("scope", body.scope))
    response.headers.update(NO_STORE)
    return await _grant(request, form)


@router.post("/v1/sessions/refresh", tags=["sessions"], summary="Rotate the refresh token")
async def refresh(body: Refresh, request: Request, response: Response) -> dict[str, Any]:
    response.headers.update(NO_STORE)
    return await _grant(request, [("grant_type", "refresh_token"), ("client_id", API_CLIENT),
                                  ("refresh_token", body.refresh_token)])


@router.post("/v1/step-up", tags=["sessions"], summary="A fresh TOTP proof -> a short-lived step-up token")
async def step_up(body: StepUp, request: Request, response: Response) -> dict[str, Any]:
    """Present the access token (Authorization: Bearer) or the refresh token, and a new code."""
    form = [("grant_type", STEP_UP), ("client_id", API_CLIENT), ("totp", body.totp)]
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        form.append(("subject_token", bearer[7:].strip()))
    if body.refresh_token:
        form.append(("refresh_token", body.refresh_token))
    response.headers.update(NO_STORE)
    return await _grant(request, form)


@router.get("/v1/sessions/current", tags=["sessions"])
async def current_session(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    sid = principal.extra.get("sid")
    async with identity(request).svc.uow_factory() as uow:
        session = await uow.sessions.get(str(sid)) if sid else None
    return {"subject": principal.subject, "roles": sorted(principal.roles), "amr": list(principal.amr),
            "acr": principal.acr, "auth_time": principal.auth_time, "session": session}


@router.delete("/v1/sessions/current", tags=["sessions"], status_code=204)
async def sign_out(request: Request, principal: Principal = Depends(current_principal)) -> Response:
    svc = identity(request).svc
    async with svc.uow_factory() as uow:
        await auth.end_session(uow, svc, principal.subject, reason="signed_out")
        await uow.commit()
    return Response(status_code=204)


# -- authorization code flow with PKCE (the web portal) -------------------------------------------
_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>capreg sign-in</title></head>
<body><h1>Sign in to capreg</h1><p>{client} asks to act for you.</p>{error}
<form method="post"><label>E-mail <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<label>One-time code <input name="totp" inputmode="numeric" pattern="[0-9]{{6}}" required></label>
<button type="submit">Sign in</button></form></body></html>"""
_PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; form-action 'self'",
                 "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(client: str, error: str | None = None, status: int = 200, redirect_origins: list[str] | None = None
          ) -> HTMLResponse:
    notice = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    headers = dict(_PAGE_HEADERS)
    if redirect_origins:  # Chrome applies form-action to the redirect that follows the post, too
        headers["Content-Security-Policy"] = f"default-src 'none'; form-action 'self' {' '.join(redirect_origins)}"
    return HTMLResponse(_PAGE.format(client=html.escape(client), error=notice), status_code=status, headers=headers)


def _redirect_origins(request: Request) -> list[str]:
    """Origins of the portal's registered redirect URIs (exact-match URIs, so nothing else is allowed)."""
    origins = {urlsplit(uri)._replace(path="", query="", fragment="").geturl()
               for uri in identity(request).svc.settings.portal_redirect_uris}
    return sorted(o for o in origins if o.startswith(("http://", "https://")))


def _authorization_error(error: OAuth2Error) -> Response:
    status, body, headers = error()
    if status == 302:
        return RedirectResponse(dict(headers)["Location"], status_code=302)
    return HTMLResponse(f"<p>{html.escape(str(body.get('error_description') or body.get('error')))}</p>",
                        status_code=400, headers=_PAGE_HEADERS)


@router.get("/oauth/authorize", summary="Authorization endpoint: the sign-in page", response_class=HTMLResponse)
async def authorize_page(request: Request) -> Response:
    try:
        grant, _ = await run_oauth(request, lambda s, r: s.get_consent_grant(r, end_user=None), form=[])
    except OAuth2Error as error:
        return _authorization_error(error)
    return _page(grant.request.client.row["name"], redirect_origins=_redirect_origins(request))


@router.post("/oauth/authorize", include_in_schema=False)
async def authorize(request: Request) -> Response:
    form = dict(await form_items(request))
    query = list(request.query_params.multi_items())
    svc = identity(request).svc
    try:
        grant, _ = await run_oauth(request, lambda s, r: s.get_consent_grant(r, end_user=None), form=[], query=query)
    except OAuth2Error as error:
        return _authorization_error(error)
    client_name = grant.request.client.row["name"]
    try:
        await auth.limit_sign_in(svc, form.get("email", ""), origin(request))
        async with svc.uow_factory() as uow:
            try:
                person, _ = await auth.verify_sign_in(uow, svc, email=form.get("email", ""),
                                                      password=form.get("password", ""), code=form.get("totp", ""),
                                                      now=svc.clock.now())
            except DomainError:
                await uow.commit()
                raise
            await uow.commit()
    except DomainError as refusal:
        return _page(client_name, refusal.message, status=401 if refusal.status == 401 else refusal.status,
                     redirect_origins=_redirect_origins(request))
    user = AuthorizedPerson(individual_id=person.id, auth_time=svc.clock.now())

    def respond(server: Any, oauth_request: Any) -> Any:
        consent = server.get_consent_grant(oauth_request, end_user=user)
        return server.create_authorization_response(oauth_request, grant_user=user, grant=consent)

    try:
        (status, _, headers), _ = await run_oauth(request, respond, form=[], query=query)
    except OAuth2Error as error:
        return _authorization_error(error)
    return RedirectResponse(dict(headers)["Location"], status_code=302) if status == 302 else _page(client_name)
