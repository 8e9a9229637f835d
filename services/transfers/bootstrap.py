"""Composition root of the transfers service; tests use it too."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from services.transfers.adapters.orm import infrastructure
from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.common import Policy
from services.transfers.config import Settings
from services.transfers.domain.calendar import BusinessCalendar
from services.transfers.entrypoints.consumers import subscriptions
from services.transfers.entrypoints.scheduler import deadline_sweeper
from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime


def build_policy(settings: Settings) -> Policy:
    jurisdictions = set(settings.timezones) | set(settings.holidays)
    calendars = {
        j: BusinessCalendar.of(ZoneInfo(settings.timezones.get(j, "UTC")), settings.holidays.get(j, ()))
        for j in jurisdictions
    }
    return Policy(
        linkage=tuple(tuple(group) for group in settings.linked_jurisdictions),
        calendars=calendars,
        document_max_bytes=settings.document_max_bytes,
    )


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=TransfersUnitOfWork,
    )
    policy = build_policy(settings)
    runtime.subscriptions = subscriptions(runtime, policy)
    runtime.background_hooks.append(deadline_sweeper(policy, settings.deadline_sweep_seconds))
    return runtime
