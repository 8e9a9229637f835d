"""Composition root of the identity service; tests use it too."""

from datetime import timedelta

from services.identity.adapters.orm import infrastructure
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.services import IdentityServices
from services.identity.config import Settings
from services.identity.entrypoints.consumers import subscriptions
from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime


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


def services(runtime: ServiceRuntime) -> IdentityServices:
    """The use cases' collaborators; no I/O until `start_services`."""
    assert isinstance(runtime.settings, Settings)

    def uow_factory() -> IdentityUnitOfWork:
        uow = runtime.uow()
        assert isinstance(uow, IdentityUnitOfWork)
        return uow

    return IdentityServices.from_settings(runtime.settings, runtime.clock, uow_factory)


async def start_services(runtime: ServiceRuntime, svc: IdentityServices) -> None:
    """After the runtime started: load (or create) the signing keys, ensure first-party clients."""
    from services.identity.application.clients import ensure_first_party_clients

    assert runtime.session_factory is not None
    svc.keyring.session_factory = runtime.session_factory
    await svc.keyring.ensure_initial_key(svc.clock.now())
    await ensure_first_party_clients(svc)
