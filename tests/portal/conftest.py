"""Helpers of the portal tests: a stand-in 'identity' (and other services) answering over real HTTP,
and a portal served against it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from shared.testing.server import RunningService, serve


def stub_services() -> FastAPI:
    """Answers like the services do, including their error format."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.post("/v1/registrations")
    async def register(request: Request) -> JSONResponse:
        return JSONResponse(status_code=409, content={"error": {
            "code": "duplicate_person", "message": "this person is already registered",
            "details": {"matched_on": "name_and_birth_date"}}})

    @app.get("/v1/transfers")
    async def transfers(request: Request) -> JSONResponse:
        return JSONResponse(status_code=401, content={"error": {
            "code": "unauthenticated", "message": "the token was revoked", "details": {}}})

    return app


@contextlib.asynccontextmanager
async def portal_with_stub(**overrides: Any) -> AsyncIterator[tuple[RunningService, RunningService]]:
    async with serve(stub_services(), wait_ready=False) as stub:
        urls = {f"{s}_url": stub.url for s in ("identity", "registry", "transfers", "auction", "financial")}
        settings = Settings(**urls, cookie_secure=False, log_json=False, log_level="WARNING", **overrides)
        async with serve(create_app(settings)) as portal:
            yield portal, stub


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def browser(portal: RunningService, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=portal.url, headers=headers, follow_redirects=False, timeout=30.0)


class Kit:
    portal_with_stub = staticmethod(portal_with_stub)
    browser = staticmethod(browser)
    csrf_token = staticmethod(csrf_token)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
