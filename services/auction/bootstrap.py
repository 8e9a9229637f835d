"""Composition root of the auction service; tests use it too."""

from datetime import timedelta

from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime
from services.auction.adapters.orm import infrastructure
from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.config import Settings
from services.auction.entrypoints.consumers import subscriptions


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=AuctionUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
