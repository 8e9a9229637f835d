"""App factory of the identity service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from shared.clock import Clock
from shared.http.app import build_app
from services.identity.bootstrap import bootstrap
from services.identity.config import Settings
from services.identity.entrypoints.http.routes import router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    return build_app(runtime, title="capreg identity: KYC, credentials, OAuth 2", routers=[router])
