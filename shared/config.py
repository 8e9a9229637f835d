"""Settings shared by every service. Each service subclasses with its own env prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from the environment only (the only reader of env in a service)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_", extra="ignore")

    service_name: str = "capreg"
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg"
    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_idempotence: bool = False  # True against Apache Kafka; the dev broker cannot do it
    identity_url: str = "http://127.0.0.1:8101"
    jwt_issuer: str = "http://127.0.0.1:8101"
    jwt_audience: str = "capreg"
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    run_background: bool = True  # outbox relay and consumers inside the service process
    relay_poll_seconds: float = 0.05
    bus_check_seconds: float = 1.0
    consumer_session_timeout_ms: int = 6000
    log_level: str = "INFO"
    log_json: bool = True
    otel_exporter_endpoint: str | None = None
    otel_console: bool = False
    clock_offset_seconds: float = 0.0
    allow_clock_control: bool = Field(default=False, description="dev only: POST /_dev/clock")
