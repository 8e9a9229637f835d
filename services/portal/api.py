"""An httpx client over the five services, carrying the signed-in person's bearer token.

Services answer errors as `{"error": {"code", "message", "details"}}`; `ApiError` carries them, with
`ApiError.text` a readable message (field problems in `details.problems[]` are listed too). A service
that cannot be reached is `ApiError(503, "service_unavailable")`. The portal never imports a service:
HTTP is its only way in (import-linter checks that).
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Request

from services.portal.config import Settings
from shared.telemetry import current_traceparent

SERVICES = ("identity", "registry", "transfers", "auction", "financial")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 service: str = "") -> None:
        super().__init__(f"{service}: {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.service = service

    @property
    def page_status(self) -> int:
        """The status of the page that shows this error: the service's 4xx, or 502 for its failures."""
        return self.status if self.status < 500 else 502

    @property
    def problems(self) -> list[str]:
        """Per-field problems (`details.problems[]` of a 422), as `field: message` lines."""
        out: list[str] = []
        for p in self.details.get("problems") or []:
            if isinstance(p, dict):
                field = p.get("field") or p.get("loc") or ""
                if isinstance(field, list):
                    field = ".".join(str(x) for x in field if x != "body")
                text = p.get("message") or p.get("problem") or p.get("msg") or p.get("code")
                out.append(f"{field}: {text}".strip(": "))
            else:
                out.append(str(p))
        return out

    @property
    def text(self) -> str:
        msg = self.message[:1].upper() + self.message[1:] if self.message else self.code
        return f"{msg} ({self.code})"


def error_from(response: httpx.Response, service: str) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        e = body["error"]
        return ApiError(response.status_code, str(e.get("code") or "error"), str(e.get("message") or ""),
                        e.get("details") if isinstance(e.get("details"), dict) else {}, service)
    if isinstance(body, dict) and "error" in body:  # OAuth 2 (RFC 6749 §5.2)
        return ApiError(response.status_code, str(body["error"]),
                        str(body.get("error_description") or body["error"]), {}, service)
    return ApiError(response.status_code, f"http_{response.status_code}", response.text[:200] or "error", {}, service)


class Api:
    """Calls on behalf of one person (or anonymously when `token` is None)."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings, token: str | None = None) -> None:
        self.http = http
        self.settings = settings
        self.bearer = token

    def with_token(self, token: str | None) -> Api:
        return Api(self.http, self.settings, token)

    async def request(self, service: str, method: str, path: str, *, token: str | None = None,
                      headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        hdrs = dict(headers or {})
        bearer = token or self.bearer
        if bearer:
            hdrs["Authorization"] = f"Bearer {bearer}"
        traceparent = current_traceparent()  # the service's spans join the portal request's trace
        if traceparent:
            hdrs.setdefault("traceparent", traceparent)
        url = self.settings.base_url(service) + path
        try:
            response = await self.http.request(method, url, headers=hdrs, **kwargs)
        except httpx.TransportError as exc:
            raise ApiError(503, "service_unavailable", f"the {service} service cannot be reached", {},
                           service) from exc
        if response.status_code >= 400:
            raise error_from(response, service)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.request(service, "GET", path, **kwargs)

    async def post(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.request(service, "POST", path, **kwargs)

    async def put(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.request(service, "PUT", path, **kwargs)

    async def delete(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.request(service, "DELETE", path, **kwargs)

    async def get_or_none(self, service: str, path: str, **kwargs: Any) -> tuple[Any, ApiError | None]:
        """For pages that show what they can: (body, None) or (None, the error)."""
        try:
            return await self.get(service, path, **kwargs), None
        except ApiError as error:
            return None, error

    # -- OAuth with identity (client `capreg-portal`) -------------------------------------------
    async def token(self, form: dict[str, str]) -> dict[str, Any]:
        form = {"client_id": self.settings.oauth_client_id, **form}
        body = await self.request("identity", "POST", "/oauth/token", data=form, token=None)
        return dict(body)

    async def step_up(self, refresh_token: str, totp: str) -> str:
        """A 5-minute access token with a fresh one-time-code proof (for transfers and bids)."""
        body = await self.token({"grant_type": "urn:capreg:params:oauth:grant-type:step-up",
                                 "refresh_token": refresh_token, "totp": totp.strip()})
        return str(body["access_token"])


def http_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=settings.api_timeout_seconds, follow_redirects=False)


def api_of(request: Request) -> Api:
    """The anonymous client; `get_api` (session.py) gives the signed-in person's."""
    return Api(request.app.state.http, request.app.state.settings)
