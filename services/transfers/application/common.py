"""What every use case of the transfers service shares: policy, notices, recipients, event helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.domain.calendar import BusinessCalendar
from services.transfers.domain.model import Transfer
from shared.contracts.registry import InstrumentSpec
from shared.contracts.transfers import NotificationIssued

SYSTEM = "system:transfers"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Policy:
    """Configuration the rules need: linked programs and each jurisdiction's business calendar."""

    linkage: tuple[tuple[str, ...], ...] = (("CA", "QC"), ("NS",))
    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    document_max_bytes: int = 10 * 1024 * 1024

    def calendar(self, jurisdiction: str) -> BusinessCalendar:
        return self.calendars.get(jurisdiction) or BusinessCalendar.of(UTC)

    def local_date(self, jurisdiction: str, instant: datetime) -> date:
        return self.calendar(jurisdiction).local_date(instant)


def eo_of(jurisdiction: str) -> str:
    """Notices to the Executive Officer go to the role; every holder of it reads them."""
    return f"role:executive_officer:{jurisdiction}"


def instrument_spec(t: Transfer) -> InstrumentSpec:
    return InstrumentSpec(instrument_type=t.instrument.instrument_type,  # type: ignore[arg-type]
                          jurisdiction=t.instrument.jurisdiction, vintage=t.instrument.vintage)


async def party_recipients(uow: TransfersUnitOfWork, t: Transfer, *, sides: Sequence[str] = ("source", "destination"),
                           primary_only: bool = False) -> list[str]:
    """The representatives of the parties: every primary and alternate of the source entity's accounts
    and of the destination account (§95921(i)(1)(A): "the entities submitting the request")."""
    people: set[str] = set()
    if "source" in sides:
        source_accounts = await uow.projections.accounts_of_entity(t.source_entity_id)
        own = await uow.projections.account(t.source_account)
        for account in [*source_accounts, *([own] if own else [])]:
            people.update(account.primary() if primary_only else account.actors())
    if "destination" in sides:
        dest = await uow.projections.account(t.destination_account)
        if dest is not None:
            people.update(dest.primary() if primary_only else dest.actors())
    return sorted(people)


async def notify(uow: TransfersUnitOfWork, *, transfer_id: str | None, kind: str, recipients: Iterable[str],
                 message: str) -> None:
    """Store one notice per recipient and publish it once on the bus."""
    who = sorted(set(recipients))
    if not who:
        return
    now = uow.clock.now()
    batch = new_id("ntf")
    rows = [
        {"id": f"{batch}.{n}", "recipient": r, "transfer_id": transfer_id, "kind": kind, "message": message,
         "created_at": now}
        for n, r in enumerate(who)
    ]
    await uow.notifications.add_many(rows)
    await uow.publish(NotificationIssued(notification_id=batch, transfer_id=transfer_id, kind=kind,
                                         recipients=who, message=message, issued_at=now))


async def notify_parties(uow: TransfersUnitOfWork, t: Transfer, kind: str, message: str, *,
                         executive_officer: bool = False, extra: Iterable[str] = ()) -> None:
    recipients = await party_recipients(uow, t)
    if executive_officer:
        recipients.append(eo_of(t.jurisdiction))
    await notify(uow, transfer_id=t.id, kind=kind, recipients=[*recipients, *extra], message=message)


def describe(t: Transfer) -> str:
    vintage = f" vintage {t.instrument.vintage}" if t.instrument.vintage else ""
    return (f"transfer {t.id}: {t.quantity} {t.instrument.jurisdiction} {t.instrument.instrument_type}(s){vintage} "
            f"from {t.source_account} to {t.destination_account}")


def audit_details(t: Transfer, **extra: Any) -> dict[str, Any]:
    return {"status": str(t.status), "version": t.version, **extra}
