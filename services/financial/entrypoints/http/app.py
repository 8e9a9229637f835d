"""App factory of the financial service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from shared.clock import Clock
from shared.http.app import build_app
from services.financial.bootstrap import bootstrap
from services.financial.config import Settings
from services.financial.entrypoints.http.routes import router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    return build_app(runtime, title="capreg financial services: bid guarantees and auction settlement", routers=[router])
