"""Composition root of the identity service; tests use it too."""

from datetime import timedelta

from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime
from services.identity.adapters.orm import infrastructure
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.config import Settings
from services.identity.entrypoints.consumers import subscriptions


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=IdentityUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
