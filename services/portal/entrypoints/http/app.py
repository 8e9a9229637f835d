"""App factory of the web portal: no I/O at import; the HTTP client to the services opens in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import httpx
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal import dashboard, i18n
from services.portal.api import ApiError, http_client
from services.portal.config import Settings
from services.portal.entrypoints.http import (
    auction_routes,
    auth_routes,
    financial_routes,
    individual_routes,
    registration_routes,
    representative_routes,
    staff_routes,
    transfer_routes,
)
from services.portal.session import (
    CookieSealer,
    CsrfFailure,
    SignInRequired,
    csrf_protect,
    load_session,
    store_session,
)
from services.portal.templating import STATIC_DIR, render
from shared.clock import Clock, SystemClock
from shared.telemetry import configure_logging, configure_telemetry


def security_headers(settings: Settings) -> dict[str, str]:
    # no inline script or style, nothing from elsewhere; forms post only to the portal itself
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
    return {"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, level=settings.log_level, json_logs=settings.log_json)
        configure_telemetry(settings.service_name, otlp_endpoint=settings.otel_exporter_endpoint,
                            console=settings.otel_console)
        app.state.http = http_client(settings)
        try:
            yield
        finally:
            await app.state.http.aclose()

    app = FastAPI(title="capreg portal", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(csrf_protect)])
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.sealer = CookieSealer(settings.cookie_secret.get_secret_value().encode())
    app.state.refresh_locks = {}
    app.state.refreshed = {}
    headers = security_headers(settings)
    # traces and HTTP metrics like every service (shared/http/app.py); calls to the services carry traceparent
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,static")

    @app.middleware("http")
    async def portal_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        load_session(request)
        request.state.locale = i18n.negotiate(request.cookies.get(i18n.LANG_COOKIE),
                                              request.headers.get("accept-language"), settings.default_locale)
        response = await call_next(request)
        store_session(request, response)
        response.headers.update(headers)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/signin"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(CsrfFailure)
    async def _csrf(request: Request, _: CsrfFailure) -> Response:
        return render(request, "message.html", {"error": i18n.translate("error.csrf", request.state.locale)},
                      status_code=403)

    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError) -> Response:
        return render(request, "message.html", {"error": error}, status_code=error.status if error.status < 600
                      else 502)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        text = i18n.translate("error.not_found", request.state.locale) if exc.status_code == 404 else str(exc.detail)
        return render(request, "message.html", {"error": text}, status_code=exc.status_code)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": "portal"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            r = await request.app.state.http.get(settings.base_url("identity") + "/healthz", timeout=3.0)
            ok = r.status_code == 200
        except httpx.TransportError:
            ok = False
        return JSONResponse({"status": "ready" if ok else "not_ready", "identity": ok},
                            status_code=200 if ok else 503)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in (auth_routes.router, registration_routes.router, individual_routes.router, staff_routes.router,
                   auction_routes.router, financial_routes.router):
        app.include_router(router)
    app.include_router(transfer_routes.router)  # deficiencies and documentation on a transfer
    app.include_router(representative_routes.router)  # representative-change requests
    app.include_router(dashboard.router, prefix="/ops")  # the operations dashboard (services/portal/dashboard.py)
    return app
