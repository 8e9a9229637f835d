"""Composition root of the registry service; tests use it too."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from services.registry.adapters.orm import infrastructure
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import ensure_jurisdiction_accounts
from services.registry.application.policy import RegistryPolicy
from services.registry.application.sweep import sweep_forever
from services.registry.config import Settings
from services.registry.entrypoints.consumers import subscriptions
from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


@dataclass
class RegistryRuntime(ServiceRuntime):
    policy: RegistryPolicy = field(default_factory=RegistryPolicy)

    def registry_uow(self) -> RegistryUnitOfWork:
        uow = self.uow()
        assert isinstance(uow, RegistryUnitOfWork)
        return uow


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> RegistryRuntime:
    settings = settings or Settings()
    policy = RegistryPolicy.from_settings(settings)
    runtime = RegistryRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=RegistryUnitOfWork,
        policy=policy,
    )
    runtime.subscriptions = subscriptions(runtime, policy)
    if settings.sweep_interval_seconds > 0:
        interval = settings.sweep_interval_seconds
        runtime.background_hooks.append(
            lambda rt: asyncio.create_task(sweep_forever(runtime.registry_uow, interval), name="registry-sweep")
        )
    return runtime


async def seed_jurisdiction_accounts(runtime: ServiceRuntime) -> None:
    """Startup hook: every configured jurisdiction has its accounts (idempotent)."""
    assert isinstance(runtime, RegistryRuntime)
    try:
        async with runtime.registry_uow() as uow:
            await ensure_jurisdiction_accounts(uow, runtime.policy.jurisdictions)
            await uow.commit()
    except Exception:
        log.exception("could not seed the jurisdiction accounts")
