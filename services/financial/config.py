from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_FINANCIAL_* (e.g. CAPREG_FINANCIAL_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_FINANCIAL_", extra="ignore")

    service_name: str = "financial"
    http_port: int = 8105
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_financial"

    # §95912(h): bid guarantees due at least this many days before the auction
    guarantee_lead_days: int = 12
    # §95912(h)(7): a guarantee expires no sooner than this many days after the auction
    guarantee_min_expiry_days: int = 26
    # §95912(h)(2), (h)(4): the currencies a bidder of each jurisdiction may post a guarantee in
    guarantee_currencies: dict[str, list[str]] = Field(
        default_factory=lambda: {"CA": ["USD"], "QC": ["CAD", "USD"], "NS": ["CAD"]}
    )
    # calendar dates (guarantee and payment deadlines) are read in this time zone
    business_timezone: str = "America/Los_Angeles"
    # the Advance Auction sells the vintage this many years after the auction's year (§95910)
    advance_vintage_offset: int = 3
    # where each jurisdiction's proceeds go (§95912(i)(3)(B)-(C)): account and currency
    proceeds_payees: dict[str, tuple[str, str]] = Field(
        default_factory=lambda: {
            "CA": ("ggrf_proceeds", "USD"), "QC": ("qc_proceeds", "CAD"), "NS": ("ns_proceeds", "CAD"),
        }
    )
    # the jurisdiction whose fund receives what remains after consignors and partners (rounding included)
    residual_jurisdiction: str = "CA"
    # how often the settlement deadline job looks for unpaid invoices (§95912(i)(3)(B))
    deadline_poll_seconds: float = 60.0
