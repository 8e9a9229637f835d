"""Commands of the transfers service (imperative names; the edge builds them from requests)."""

from __future__ import annotations

from dataclasses import dataclass

from services.transfers.domain.model import Instrument
from services.transfers.domain.terms import Terms


@dataclass(frozen=True)
class Actor:
    """Who acts: the individual (token subject) and the roles their token carries."""

    subject: str
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str, jurisdiction: str) -> bool:
        return f"{role}:{jurisdiction}" in self.roles

    def is_staff_of(self, jurisdiction: str, *roles: str) -> bool:
        return any(self.has_role(r, jurisdiction) for r in roles)


@dataclass(frozen=True)
class SubmitTransfer:
    actor: Actor
    source_account: str
    destination_account: str
    instrument: Instrument
    quantity: int
    terms: Terms
    second_representative: str | None = None  # §95921(b)(1)(A)


@dataclass(frozen=True)
class UndertakeTransfer:
    """A transfer the Executive Officer undertakes (§95921(a)(1), (a)(2)(A))."""

    actor: Actor
    source_account: str
    destination_account: str
    instrument: Instrument
    quantity: int
    reason: str


@dataclass(frozen=True)
class TransferStep:
    """Confirm, accept or withdraw: the transfer and who acts (`expected_version` optional)."""

    actor: Actor
    transfer_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class Determine:
    actor: Actor
    transfer_id: str
    approve: bool
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ReportDeficiency:
    actor: Actor
    transfer_id: str
    kind: str
    responsible: str
    problem: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResubmitTransfer:
    actor: Actor
    transfer_id: str
    terms: Terms


@dataclass(frozen=True)
class CorrectDeficiency:
    actor: Actor
    deficiency_id: str
    note: str
    terms: Terms | None = None


@dataclass(frozen=True)
class ReverseTransfer:
    actor: Actor
    transfer_id: str
    deficiency_id: str
    reason: str


@dataclass(frozen=True)
class RequestDocumentation:
    actor: Actor
    transfer_id: str
    party: str
    description: str


@dataclass(frozen=True)
class UploadDocument:
    actor: Actor
    request_id: str
    filename: str
    content_type: str
    content: bytes
