from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Role(StrEnum):
    """Staff roles are held per jurisdiction: a token carries e.g. "registrar:CA"."""

    INDIVIDUAL = "individual"
    REGISTRAR = "registrar"
    ACCOUNTS_ADMINISTRATOR = "accounts_administrator"
    EXECUTIVE_OFFICER = "executive_officer"
    AUCTION_ADMINISTRATOR = "auction_administrator"
    FINANCIAL_SERVICES_ADMINISTRATOR = "financial_services_administrator"
    MARKET_MONITOR = "market_monitor"
    MACHINE = "machine"


STAFF_ROLES = frozenset(r for r in Role if r not in (Role.INDIVIDUAL, Role.MACHINE))


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str] = frozenset()  # "role" or "role:JURISDICTION"
    scopes: frozenset[str] = frozenset()
    amr: tuple[str, ...] = ()
    acr: str | None = None
    auth_time: datetime | None = None
    issued_at: datetime | None = None
    token_id: str | None = None
    client_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def is_machine(self) -> bool:
        return Role.MACHINE in self.roles or self.subject.startswith("client:")

    def has_role(self, role: str, jurisdiction: str | None = None) -> bool:
        if jurisdiction is None:
            return role in self.roles or any(r.startswith(role + ":") for r in self.roles)
        return f"{role}:{jurisdiction}" in self.roles

    def jurisdictions_for(self, role: str) -> set[str]:
        return {r.split(":", 1)[1] for r in self.roles if r.startswith(role + ":")}

    def is_staff(self, jurisdiction: str | None = None) -> bool:
        return any(self.has_role(r, jurisdiction) for r in STAFF_ROLES)

    def mfa_age_seconds(self, now: datetime | None = None) -> float | None:
        if self.auth_time is None or "otp" not in self.amr:
            return None
        return ((now or datetime.now(UTC)) - self.auth_time).total_seconds()
