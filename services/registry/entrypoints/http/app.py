"""App factory of the registry service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from shared.clock import Clock
from shared.http.app import build_app
from services.registry.bootstrap import bootstrap
from services.registry.config import Settings
from services.registry.entrypoints.http.routes import router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    return build_app(runtime, title="capreg registry: entities, accounts, representatives, the serial-number ledger", routers=[router])
