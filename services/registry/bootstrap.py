"""Composition root of the registry service; tests use it too."""

from datetime import timedelta

from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime
from services.registry.adapters.orm import infrastructure
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.config import Settings
from services.registry.entrypoints.consumers import subscriptions


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=RegistryUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
