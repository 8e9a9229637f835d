from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_REGISTRY_* (e.g. CAPREG_REGISTRY_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_REGISTRY_", extra="ignore")

    service_name: str = "registry"
    http_port: int = 8102
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_registry"
