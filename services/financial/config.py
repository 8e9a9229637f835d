from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_FINANCIAL_* (e.g. CAPREG_FINANCIAL_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_FINANCIAL_", extra="ignore")

    service_name: str = "financial"
    http_port: int = 8105
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_financial"
