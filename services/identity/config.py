from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_IDENTITY_* (e.g. CAPREG_IDENTITY_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8101
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_identity"
