"""Composition root of the transfers service; tests use it too."""

from datetime import timedelta

from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime
from services.transfers.adapters.orm import infrastructure
from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.config import Settings
from services.transfers.entrypoints.consumers import subscriptions


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=TransfersUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
