"""App factory of the transfers service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from services.transfers.bootstrap import bootstrap, build_policy
from services.transfers.config import Settings
from services.transfers.entrypoints.http.routes import router
from shared.clock import Clock
from shared.http.app import build_app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = bootstrap(settings, clock)
    app = build_app(runtime, title="capreg transfers: the §95921 transfer workflow", routers=[router])
    app.state.policy = build_policy(settings)
    return app
