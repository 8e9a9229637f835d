"""App factory of the financial service: no I/O at import; everything starts in the lifespan."""

from typing import cast

from fastapi import FastAPI

from services.financial.application.policy import FinancialPolicy
from services.financial.bootstrap import bootstrap
from services.financial.config import Settings
from services.financial.entrypoints.http.routes import router
from shared.clock import Clock
from shared.http.app import build_app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    app = build_app(runtime, title="capreg financial services: bid guarantees and auction settlement", routers=[router])
    app.state.policy = FinancialPolicy.from_settings(cast(Settings, runtime.settings))
    return app
