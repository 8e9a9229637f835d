"""Settings of the identity service: the only reader of the environment (CAPREG_IDENTITY_*)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables CAPREG_IDENTITY_* (e.g. CAPREG_IDENTITY_DATABASE_URL).

    The three secrets have development defaults so the dev stack starts without
    configuration; production deployments MUST set them (see docs/identity.md).
    """

    model_config = SettingsConfigDict(env_prefix="CAPREG_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8101
    database_url: str = "postgresql+asyncpg://postgres@localhost/capreg_identity"

    # -- secrets -----------------------------------------------------------------------------
    person_key_secret: SecretStr = Field(
        default=SecretStr("dev-only-person-key-secret-change-me"),
        description="HMAC-SHA256 key of the one-person-one-credential fingerprints (§95834)",
    )
    data_encryption_key: SecretStr = Field(
        default=SecretStr("dev-only-data-encryption-key-change-me"),
        description="encrypts TOTP secrets, ID numbers and private signing keys at rest (AES-GCM)",
    )
    bootstrap_secret: SecretStr | None = Field(
        default=None, description="enables POST /v1/ops/bootstrap/staff when set (X-Bootstrap-Secret header)"
    )

    # -- tokens ------------------------------------------------------------------------------
    access_token_ttl_seconds: int = 300
    step_up_token_ttl_seconds: int = 300
    machine_token_ttl_seconds: int = 600
    refresh_token_ttl_seconds: int = 8 * 3600
    session_max_age_seconds: int = 12 * 3600
    authorization_code_ttl_seconds: int = 120
    key_publish_lead_seconds: int = 60  # a new key is in the JWKS this long before it signs
    key_retirement_grace_seconds: int = 120  # an old key stays published max token TTL + this
    key_refresh_seconds: float = 5.0  # how often an instance re-reads the signing keys
    portal_redirect_uris: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8100/callback", "http://localhost:3000/callback"]
    )

    # -- brute force -------------------------------------------------------------------------
    lockout_threshold: int = 5
    lockout_seconds: int = 900
    login_ip_limit: int = 30
    login_account_limit: int = 10
    login_window_seconds: int = 60
    registration_ip_limit: int = 10
    registration_window_seconds: int = 3600

    # -- passwords and one-time codes --------------------------------------------------------
    password_min_length: int = 12
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    totp_issuer: str = "capreg"

    # -- KYC (§95834); the legal values are the defaults ---------------------------------------
    document_window_days: int = 30
    bank_statement_max_age_months: int = 3
    felony_lookback_years: int = 5
    max_document_bytes: int = 10 * 1024 * 1024
    reset_ticket_ttl_seconds: int = 7 * 24 * 3600
