"""App factory of the auction service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from services.auction.adapters.registry_client import RegistryHoldingLimits
from services.auction.application.ports import DeclaredHoldingLimits
from services.auction.bootstrap import bootstrap, policy_from
from services.auction.config import Settings
from services.auction.entrypoints.http.routes import router
from shared.clock import Clock
from shared.http.app import build_app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = bootstrap(settings, clock)
    app = build_app(runtime, title="capreg auction: §95912 auction administration, bidding and clearing",
                    routers=[router])
    app.state.policy = policy_from(settings)
    app.state.holding_limits = (
        RegistryHoldingLimits(settings.registry_url, timeout_seconds=settings.registry_timeout_seconds)
        if settings.registry_url else DeclaredHoldingLimits()
    )
    return app
