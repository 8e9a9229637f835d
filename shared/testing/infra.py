"""PostgreSQL and the broker for tests: testcontainers when a Docker daemon answers, else embedded."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.infra.embedded import EmbeddedPostgres, TansuBroker

log = logging.getLogger(__name__)


@dataclass
class Infra:
    """Where the test databases and the broker are, and how to restart the broker."""

    admin_url: str  # SQLAlchemy URL of the maintenance database
    bootstrap: str
    broker: TansuBroker | None  # None when the broker is not ours to restart
    url_for: object  # Callable[[str], str]: database name -> SQLAlchemy URL

    def database_url(self, name: str) -> str:
        return self.url_for(name)  # type: ignore[operator,no-any-return]

    def restart_broker(self) -> None:
        if self.broker is None:
            raise RuntimeError("the broker is external; cannot restart it")
        self.broker.restart()


def docker_available() -> bool:
    if os.environ.get("CAPREG_TEST_NO_DOCKER"):
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextmanager
def _containers() -> Iterator[Infra]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:18", driver="asyncpg") as pg, KafkaContainer().with_kraft() as kafka:
        base = pg.get_connection_url()

        def url_for(name: str) -> str:
            return base.rsplit("/", 1)[0] + "/" + name

        yield Infra(admin_url=base, bootstrap=kafka.get_bootstrap_server(), broker=None, url_for=url_for)


@contextmanager
def _embedded() -> Iterator[Infra]:
    root = Path(os.environ.get("CAPREG_TEST_DATA") or tempfile.mkdtemp(prefix="capreg-test-"))
    pg = EmbeddedPostgres(root / "pgdata")
    pg.start()
    broker = TansuBroker(log_path=root / "tansu.log")
    broker.start()
    try:
        yield Infra(admin_url=pg.url("postgres"), bootstrap=broker.bootstrap, broker=broker, url_for=pg.url)
    finally:
        broker.stop()
        pg.stop()


@contextmanager
def test_infrastructure() -> Iterator[Infra]:
    if docker_available():
        log.info("test infrastructure: testcontainers")
        with _containers() as infra:
            yield infra
    else:
        log.info("test infrastructure: embedded PostgreSQL and tansu")
        with _embedded() as infra:
            yield infra
