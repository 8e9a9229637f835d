"""pytest fixtures (loaded as a plugin from tests/conftest.py).

- `infra`: real PostgreSQL and a real Kafka-protocol broker for the whole session.
- `issuer`: a stand-in token issuer serving a real JWKS over HTTP.
- `service_factory`: starts a service in-process on a free port, on its own freshly migrated
  database, with its relay and consumers, served over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.clock import Clock
from shared.db.migrate import upgrade
from shared.infra.embedded import ensure_database
from shared.testing.infra import Infra, test_infrastructure
from shared.testing.server import RunningService, serve
from shared.testing.tokens import TestIssuer

SERVICES_ROOT = Path(__file__).resolve().parents[2] / "services"


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with test_infrastructure() as infrastructure:
        yield infrastructure


@pytest.fixture(scope="session")
async def issuer() -> AsyncIterator[tuple[TestIssuer, str]]:
    test_issuer = TestIssuer()
    async with serve(test_issuer.app()) as running:
        yield test_issuer, running.url


async def migrated_database(infra: Infra, service: str, label: str | None = None) -> str:
    name = f"capreg_{service}_{label or uuid.uuid4().hex[:8]}"
    await ensure_database(infra.admin_url, name, recreate=True)
    url = infra.database_url(name)
    await asyncio.to_thread(upgrade, SERVICES_ROOT / service / "migrations", url)
    return url


def service_settings(service: str, infra: Infra, database_url: str, identity_url: str, **overrides: Any) -> Any:
    settings_cls = importlib.import_module(f"services.{service}.config").Settings
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap": infra.bootstrap,
        "identity_url": identity_url,
        "jwt_issuer": overrides.pop("jwt_issuer", "http://capreg-test-issuer"),
        "consumer_session_timeout_ms": 3000,
        "bus_check_seconds": 0.5,
        "log_json": False,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return settings_cls(**values)


ServiceFactory = Callable[..., contextlib.AbstractAsyncContextManager[RunningService]]


@pytest.fixture(scope="session")
def service_factory(infra: Infra, issuer: tuple[TestIssuer, str]) -> ServiceFactory:
    @contextlib.asynccontextmanager
    async def start(
        service: str,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
        identity_url: str | None = None,
        **overrides: Any,
    ) -> AsyncIterator[RunningService]:
        url = database_url or await migrated_database(infra, service)
        settings = service_settings(service, infra, url, identity_url or issuer[1], **overrides)
        app_module = importlib.import_module(f"services.{service}.entrypoints.http.app")
        app = app_module.create_app(settings, clock)
        async with serve(app) as running:
            yield running

    return start
