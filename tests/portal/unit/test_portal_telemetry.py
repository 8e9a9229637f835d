"""The portal is traced like the services, and its calls to a service carry the request's trace context."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from services.portal.api import Api
from services.portal.config import Settings
from services.portal.entrypoints.http.app import create_app
from shared.telemetry import configure_telemetry, tracer
from shared.testing.server import serve


def test_the_portal_app_is_instrumented_like_the_services():
    app = create_app(Settings(log_json=False))
    assert getattr(app, "_is_instrumented_by_opentelemetry", False)


async def test_a_call_to_a_service_carries_the_traceparent_of_the_current_span():
    configure_telemetry("portal", otlp_endpoint=None)  # what the portal's lifespan does (once per process)
    seen: list[str | None] = []
    stub = FastAPI()
    stub.add_api_route("/healthz", lambda: {"status": "alive"})

    @stub.get("/v1/me/accounts")
    async def accounts(request: Request) -> dict[str, list[str]]:
        seen.append(request.headers.get("traceparent"))
        return {"accounts": []}

    async with serve(stub, wait_ready=False) as running:
        async with httpx.AsyncClient() as http:
            api = Api(http, Settings(registry_url=running.url), "token")
            with tracer("test").start_as_current_span("portal request") as span:
                await api.get("registry", "/v1/me/accounts")
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert seen and seen[0] is not None and seen[0].split("-")[1] == trace_id
