from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_TRANSFERS_* (e.g. CAPREG_TRANSFERS_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_TRANSFERS_", extra="ignore")

    service_name: str = "transfers"
    http_port: int = 8103
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_transfers"
