"""The five services as the launcher and the CLI see them (the composition layer above them)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import services

SERVICES_DIR = Path(services.__file__).parent


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int

    @property
    def env_prefix(self) -> str:
        return f"CAPREG_{self.name.upper()}_"

    @property
    def migrations(self) -> Path:
        return SERVICES_DIR / self.name / "migrations"

    @property
    def database(self) -> str:
        return f"capreg_{self.name}"

    def settings_class(self) -> type:
        return importlib.import_module(f"services.{self.name}.config").Settings  # type: ignore[no-any-return]

    def create_app(self, settings: object, clock: object | None = None) -> object:
        module = importlib.import_module(f"services.{self.name}.entrypoints.http.app")
        return module.create_app(settings, clock)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("identity", 8101),
    ServiceSpec("registry", 8102),
    ServiceSpec("transfers", 8103),
    ServiceSpec("auction", 8104),
    ServiceSpec("financial", 8105),
)
BY_NAME = {s.name: s for s in SERVICES}

# The web portal: a deployable without a database or broker, started after the five (not in SERVICES,
# which the launcher and the tests iterate over for databases and migrations).
PORTAL = ServiceSpec("portal", 8100)
