"""Roles carried in access tokens: "individual", "machine", and staff roles per jurisdiction."""

from __future__ import annotations

from services.identity.domain.errors import InvalidInput
from services.identity.domain.model import JURISDICTIONS

INDIVIDUAL = "individual"
MACHINE = "machine"
STAFF_ROLES = (
    "registrar",
    "accounts_administrator",
    "executive_officer",
    "auction_administrator",  # designated by the Executive Officer, §95912(a)
    "financial_services_administrator",  # designated by the Executive Officer, §95912(a)
    "market_monitor",  # read-only
)


def role_claim(role: str, jurisdiction: str) -> str:
    return f"{role}:{jurisdiction}"


def parse_role(value: str) -> tuple[str, str]:
    """"registrar:CA" -> ("registrar", "CA"), refusing unknown roles and jurisdictions."""
    role, _, jurisdiction = value.partition(":")
    check_staff_role(role, jurisdiction)
    return role, jurisdiction


def check_staff_role(role: str, jurisdiction: str) -> None:
    if role not in STAFF_ROLES:
        raise InvalidInput("unknown staff role", allowed=list(STAFF_ROLES))
    if jurisdiction not in JURISDICTIONS:
        raise InvalidInput("unknown jurisdiction", allowed=list(JURISDICTIONS))
