from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_AUCTION_* (e.g. CAPREG_AUCTION_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_AUCTION_", extra="ignore")

    service_name: str = "auction"
    http_port: int = 8104
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_auction"
