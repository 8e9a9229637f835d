from datetime import date

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

# Fixed-date public holidays only. Holidays that move (e.g. Thanksgiving, Good Friday, Labour Day) must
# be configured per year through CAPREG_TRANSFERS_HOLIDAYS (JSON: {"CA": ["2027-11-25", ...], ...}).
DEFAULT_HOLIDAYS: dict[str, list[date]] = {
    "CA": [date(y, m, d) for y in (2026, 2027) for m, d in ((1, 1), (7, 4), (11, 11), (12, 25))],
    "QC": [date(y, m, d) for y in (2026, 2027) for m, d in ((1, 1), (6, 24), (7, 1), (12, 25))],
    "NS": [date(y, m, d) for y in (2026, 2027) for m, d in ((1, 1), (7, 1), (11, 11), (12, 25))],
}
DEFAULT_TIMEZONES = {"CA": "America/Los_Angeles", "QC": "America/Toronto", "NS": "America/Halifax"}


class Settings(ServiceSettings):
    """Environment variables CAPREG_TRANSFERS_* (e.g. CAPREG_TRANSFERS_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_TRANSFERS_", extra="ignore")

    service_name: str = "transfers"
    http_port: int = 8103
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_transfers"

    deadline_sweep_seconds: float = Field(default=1.0, description="how often open deadlines are swept")
    # §95921(i)(2)(D): business days skip weekends and these holidays, per jurisdiction (configurable)
    holidays: dict[str, list[date]] = Field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_HOLIDAYS.items()})
    timezones: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_TIMEZONES))
    # linked programs: instruments move only within one group (Nova Scotia stands alone)
    linked_jurisdictions: list[list[str]] = Field(default_factory=lambda: [["CA", "QC"], ["NS"]])
    document_max_bytes: int = 10 * 1024 * 1024
