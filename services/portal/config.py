"""Settings of the web portal: the only reader of the environment (CAPREG_PORTAL_*).

The portal has no database and no broker: it is a browser front end over the five services' HTTP APIs.
"""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_PORTAL_* (e.g. CAPREG_PORTAL_REGISTRY_URL)."""

    model_config = SettingsConfigDict(env_prefix="CAPREG_PORTAL_", extra="ignore")

    service_name: str = "portal"
    http_port: int = 8100

    # -- the services it talks to (over HTTP only) -----------------------------------------------
    identity_url: str = "http://127.0.0.1:8101"
    registry_url: str = "http://127.0.0.1:8102"
    transfers_url: str = "http://127.0.0.1:8103"
    auction_url: str = "http://127.0.0.1:8104"
    financial_url: str = "http://127.0.0.1:8105"
    api_timeout_seconds: float = 30.0

    # -- browser-facing ------------------------------------------------------------------------
    public_url: str = Field(default="http://127.0.0.1:8100", description="where browsers reach the portal")
    identity_public_url: str | None = Field(
        default=None, description="where browsers reach identity's sign-in page (default: identity_url)"
    )
    oauth_client_id: str = "capreg-portal"
    cookie_secret: SecretStr = Field(
        default=SecretStr("dev-only-portal-cookie-secret-change-me"),
        description="encrypts the session cookie (AES-128/HMAC via Fernet, key derived with HKDF) — set in production",
    )
    cookie_secure: bool | None = Field(
        default=None, description="Secure flag of the cookies; default: on unless public_url is plain http"
    )
    session_max_age_seconds: int = 12 * 3600  # identity's session limit
    default_locale: str = "en"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return not self.public_url.startswith("http://")

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/callback"

    @property
    def identity_browser_url(self) -> str:
        return (self.identity_public_url or self.identity_url).rstrip("/")

    def base_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")
