"""Composition root of the financial service; tests use it too."""

from datetime import timedelta

from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime
from services.financial.adapters.orm import infrastructure
from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.config import Settings
from services.financial.entrypoints.consumers import subscriptions


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=FinancialUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
