"""App factory of the auction service: no I/O at import; everything starts in the lifespan."""

from fastapi import FastAPI

from shared.clock import Clock
from shared.http.app import build_app
from services.auction.bootstrap import bootstrap
from services.auction.config import Settings
from services.auction.entrypoints.http.routes import router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    runtime = bootstrap(settings, clock)
    return build_app(runtime, title="capreg auction: §95912 auction administration, bidding and clearing", routers=[router])
