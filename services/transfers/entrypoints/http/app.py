"""App factory of the transfers service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from shared.clock import Clock
from shared.http.app import build_app
from services.transfers.bootstrap import bootstrap
from services.transfers.config import Settings
from services.transfers.entrypoints.http.routes import router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    return build_app(runtime, title="capreg transfers: the §95921 transfer workflow", routers=[router])
