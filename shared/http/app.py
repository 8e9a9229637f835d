"""The app factory pieces every service uses: lifespan around a ServiceRuntime, health, errors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import BaseModel

from shared.clock import OffsetClock
from shared.context import RequestContext, reset_context, set_context
from shared.http.errors import ERROR_RESPONSES, install_error_handlers
from shared.http.ops import router as ops_router
from shared.runtime import ServiceRuntime
from shared.telemetry import configure_logging, configure_telemetry

Hook = Callable[[ServiceRuntime], Awaitable[None]]


class ClockShift(BaseModel):
    advance_seconds: float


def build_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    routers: Sequence[APIRouter],
    on_startup: Sequence[Hook] = (),
) -> FastAPI:
    s = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(s.service_name, level=s.log_level, json_logs=s.log_json)
        configure_telemetry(s.service_name, otlp_endpoint=s.otel_exporter_endpoint, console=s.otel_console)
        await runtime.start()
        app.state.verifier = runtime.verifier
        for hook in on_startup:
            await hook(runtime)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version="1.0.0", lifespan=lifespan, responses=ERROR_RESPONSES)
    app.state.runtime = runtime
    app.state.clock = runtime.clock
    install_error_handlers(app)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")

    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        correlation = request.headers.get("x-correlation-id") or uuid.uuid4().hex
        token = set_context(
            RequestContext(
                actor="anonymous",
                ip=request.client.host if request.client else None,
                user_agent=request.headers.get("user-agent", "")[:400],
                correlation_id=correlation,
            )
        )
        try:
            response = await call_next(request)
        finally:
            reset_context(token)
        response.headers["x-correlation-id"] = correlation
        return response

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": s.service_name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(status_code=200 if ok else 503, content={"ready": ok, "checks": checks})

    if s.allow_clock_control and isinstance(runtime.clock, OffsetClock):
        clock = runtime.clock

        @app.post("/_dev/clock", tags=["operations"], include_in_schema=False)
        async def shift_clock(body: ClockShift) -> dict[str, str]:
            clock.offset += timedelta(seconds=body.advance_seconds)
            return {"now": clock.now().isoformat()}

    app.include_router(ops_router)
    for router in routers:
        app.include_router(router)
    return app
