from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_AUCTION_* (e.g. CAPREG_AUCTION_DATABASE_URL); dicts are JSON."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_AUCTION_", extra="ignore")

    service_name: str = "auction"
    http_port: int = 8104
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_auction"

    # dates "N days before the auction" are calendar dates in this zone
    program_timezone: str = "America/Los_Angeles"
    # §95911(c): jurisdiction -> year -> Auction Reserve Price in the jurisdiction's currency (CA USD,
    # QC CAD), as announced the first business day of December of the year before. Configure every
    # year; a joint auction needs both partners' prices.
    reserve_prices: dict[str, dict[int, Decimal]] = Field(
        default_factory=lambda: {"CA": {2025: Decimal("25.87")}},
    )
    # §95911(d): purchase limits as a share of the allowances offered in the pool (per auction in the notice)
    purchase_limit_current_covered_entity: Decimal = Decimal("0.15")
    purchase_limit_current_electrical_distribution_utility: Decimal = Decimal("0.40")
    purchase_limit_current_other: Decimal = Decimal("0.04")
    purchase_limit_advance: Decimal = Decimal("0.25")
    # §95912(j)(3)(A): guarantees expire no sooner than 26 days after the original auction date
    # (§95912(h)(7)); settlement needs 7 days (§95912(i)(3)(A)) plus 3 business days to draw on
    # a guarantee (§95912(h)(3)): a rescheduled window opens at most this many days later.
    reschedule_max_days: int = 14
    max_bids_per_pool: int = 100
    payment_method: str = "wire transfer to the financial services administrator (instructions in the notice)"
    # the registry's API (GET /v1/holding-limits/{entity}/headroom) checked at bid entry; None: declared only
    registry_url: str | None = None
    registry_timeout_seconds: float = 2.0
    # jurisdiction -> auction holding account, used when the registry has not published one
    auction_holding_accounts: dict[str, str] = Field(default_factory=dict)
