"""Composition root of the financial service; tests use it too."""

from datetime import timedelta

from services.financial.adapters.orm import infrastructure
from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.policy import FinancialPolicy
from services.financial.config import Settings
from services.financial.entrypoints.consumers import subscriptions
from services.financial.entrypoints.jobs import deadline_hook
from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=FinancialUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    runtime.background_hooks.append(
        deadline_hook(FinancialPolicy.from_settings(settings), settings.deadline_poll_seconds))
    return runtime
