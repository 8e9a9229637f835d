"""Opening accounts, the jurisdiction accounts, and publishing each account's state (AccountChanged)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import text

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.domain.account_numbers import make_account_number
from services.registry.domain.accounts import JURISDICTION_ACCOUNT_TYPES, AccountStatus, AccountType, OwnerKind
from services.registry.domain.jurisdictions import CORE_JURISDICTIONS
from shared.contracts.registry import AccountChanged, Representative

_SEED_LOCK = 0x7265_6769_7374  # pg advisory lock: one seeding of jurisdiction accounts at a time


async def new_account_number(uow: RegistryUnitOfWork, jurisdiction: str) -> str:
    sequence = await uow.ledger.counters.take("account")
    return make_account_number(jurisdiction, sequence)


async def open_account(
    uow: RegistryUnitOfWork, *, jurisdiction: str, account_type: AccountType, entity_id: str | None,
    status: AccountStatus = AccountStatus.OPEN, at: datetime,
) -> str:
    number = await new_account_number(uow, jurisdiction)
    await uow.registry.add_account(
        number=number, account_type=account_type.value,
        owner_kind=(OwnerKind.ENTITY if entity_id else OwnerKind.JURISDICTION).value, entity_id=entity_id,
        jurisdiction=jurisdiction, status=status.value, opened_at=at, status_changed_at=at,
    )
    return number


async def ensure_jurisdiction_accounts(
    uow: RegistryUnitOfWork, jurisdictions: Iterable[str] = CORE_JURISDICTIONS
) -> dict[str, dict[str, str]]:
    """Create each jurisdiction's accounts (issuance, allocation holding, auction holding, price
    containment reserve, retirement, voluntary renewable electricity) if missing, in the caller's
    unit of work (the caller commits). Idempotent and safe to run concurrently.

    Returns {jurisdiction: {account_type: account_number}}.
    """
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEED_LOCK})
    now = uow.clock.now()
    out: dict[str, dict[str, str]] = {}
    for jurisdiction in jurisdictions:
        existing = {r.account_type: r.number for r in await uow.registry.jurisdiction_accounts(jurisdiction)}
        for account_type in JURISDICTION_ACCOUNT_TYPES:
            if account_type.value not in existing:
                number = await open_account(uow, jurisdiction=jurisdiction, account_type=account_type,
                                            entity_id=None, at=now)
                existing[account_type.value] = number
                await publish_account(uow, number)
                await uow.audit("account.opened", number, {"jurisdiction": jurisdiction, "type": account_type.value})
        out[jurisdiction] = existing
    return out


async def jurisdiction_account_number(uow: RegistryUnitOfWork, jurisdiction: str, account_type: AccountType) -> str:
    row = await uow.registry.jurisdiction_account(jurisdiction, account_type)
    if row is None:  # first use in a jurisdiction
        await ensure_jurisdiction_accounts(uow, [jurisdiction])
        row = await uow.registry.jurisdiction_account(jurisdiction, account_type)
    assert row is not None
    return str(row.number)


async def publish_account(uow: RegistryUnitOfWork, number: str) -> None:
    """AccountChanged: the account's state and who may act on it, so every service can authorize.

    Only representatives whose KYC is currently approved are published (§95834)."""
    account = await uow.registry.account(number)
    assert account is not None
    members = await uow.registry.representatives(number)
    kyc = await uow.registry.kyc_status(i for i, _ in members)
    await uow.publish(
        AccountChanged(
            account_number=number, account_type=account.account_type, owner_kind=account.owner_kind,
            entity_id=account.entity_id, jurisdiction=account.jurisdiction, status=account.status,
            representatives=[
                Representative(individual_id=i, role=role)  # type: ignore[arg-type]
                for i, role in members if kyc.get(i) == "approved"
            ],
        )
    )
