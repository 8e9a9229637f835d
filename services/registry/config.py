from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

# Annual allowance budgets (§95920), by jurisdiction and year. ILLUSTRATIVE DEFAULTS ONLY: the 2013
# California figure is the one DOMAIN.md quotes (limit 5,945,000); the other years are a straight
# line between round figures so that the dev stack works. Set the legal values with
# CAPREG_REGISTRY_ANNUAL_BUDGETS='{"CA": {"2027": ...}, ...}' before relying on a limit.
_CA = {2013: 162_800_000, **{y: 320_900_000 - (y - 2021) * 13_380_000 for y in range(2021, 2036)}}
_QC = {2013: 23_200_000, **{y: 55_000_000 - (y - 2021) * 1_220_000 for y in range(2021, 2036)}}
_NS = {y: 13_700_000 - (y - 2019) * 200_000 for y in range(2019, 2036)}
DEFAULT_ANNUAL_BUDGETS: dict[str, dict[int, int]] = {"CA": _CA, "QC": _QC, "NS": _NS}
DEFAULT_BUDGET_BASIS: dict[str, list[str]] = {"CA": ["CA"], "QC": ["CA", "QC"], "NS": ["NS"]}


class LinkedRegistry(BaseModel):
    """A linked jurisdiction's registry: its machine client may send inbound transfers of its own
    jurisdiction's instruments into accounts of the jurisdictions it is linked with."""

    jurisdiction: str = Field(pattern=r"^[A-Z]{2}$")
    linked_with: list[str]


class Settings(ServiceSettings):
    """Environment variables CAPREG_REGISTRY_* (e.g. CAPREG_REGISTRY_DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_REGISTRY_", extra="ignore")

    service_name: str = "registry"
    http_port: int = 8102
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_registry"

    jurisdictions: list[str] = ["CA", "QC", "NS"]
    annual_budgets: dict[str, dict[int, int]] = DEFAULT_ANNUAL_BUDGETS
    # whose budgets make up a jurisdiction's holding-limit basis; DOMAIN.md: QC uses the combined CA+QC cap
    holding_limit_budget_basis: dict[str, list[str]] = DEFAULT_BUDGET_BASIS
    # compliance account limited exemption when none is set for the entity (normally tied to verified emissions)
    compliance_exemption_default: int = 0
    sell_window_days: int = 30  # §95921(g)(3)(A)
    sweep_interval_seconds: float = 60.0  # §95921(g)(3)(B) background sweep; 0 = only the ops endpoint
    # machine client id (token subject "client:<id>" or client_id claim) -> linked registry
    linked_registries: dict[str, LinkedRegistry] = {}
    feed_page_max: int = 500
