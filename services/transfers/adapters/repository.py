"""Transfer requests and the projections of the registry's accounts and entities, in PostgreSQL."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.transfers.adapters.orm import accounts, clearing_blocks, entities, transfers
from services.transfers.domain.errors import ConcurrentModification
from services.transfers.domain.model import Instrument, Origin, Status, Transfer
from services.transfers.domain.parties import AccountView, EntityView
from services.transfers.domain.terms import Terms

_DATE_FIELDS = {"agreement_date", "expected_termination_date", "close_of_trading_date"}
_DECIMAL_FIELDS = {"price", "cost_base", "margin"}


def terms_to_json(terms: Terms | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    out: dict[str, Any] = {}
    for key, value in asdict(terms).items():
        if isinstance(value, date | Decimal):
            value = str(value) if isinstance(value, Decimal) else value.isoformat()
        out[key] = value
    return out


def terms_from_json(raw: dict[str, Any] | None) -> Terms | None:
    if raw is None:
        return None
    known = {f.name for f in fields(Terms)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            continue
        if value is not None and key in _DATE_FIELDS:
            value = date.fromisoformat(value)
        elif value is not None and key in _DECIMAL_FIELDS:
            value = Decimal(value)
        values[key] = value
    return Terms(**values)


_SCALAR = (
    "id", "version", "source_account", "source_entity_id", "source_account_type", "jurisdiction",
    "destination_account", "destination_entity_id", "destination_account_type", "quantity", "submitted_by",
    "submitted_at", "requires_acceptance", "named_confirmer", "confirmed_by", "confirmed_at", "accepted_by",
    "accepted_at", "determined_by", "determined_at", "determination_reason", "outcome_code", "outcome_message",
    "move_request_id", "move_id", "recorded_at", "reversal_request_id", "reversal_move_id", "reversed_at",
    "closed_at", "note",
)


def _to_row(t: Transfer) -> dict[str, Any]:
    row = {name: getattr(t, name) for name in _SCALAR}
    terms = t.terms
    row.update(
        origin=str(t.origin),
        status=str(t.status),
        instrument_type=t.instrument.instrument_type,
        instrument_jurisdiction=t.instrument.jurisdiction,
        vintage=t.instrument.vintage,
        transaction_type=terms.transaction_type if terms else None,
        price=terms.price if terms else None,
        currency=terms.currency if terms else None,
        zero_price_reason=terms.zero_price_reason if terms else None,
        terms=terms_to_json(terms),
        deadline_at=t.deadline(),
        status_before_deficiency=str(t.status_before_deficiency) if t.status_before_deficiency else None,
        flags=list(t.flags),
        retain_until=t.retain_until,
    )
    return row


def _from_row(row: Any) -> Transfer:
    m = row._mapping if hasattr(row, "_mapping") else row
    values = {name: m[name] for name in _SCALAR}
    before = m["status_before_deficiency"]
    return Transfer(
        **values,
        origin=Origin(m["origin"]),
        status=Status(m["status"]),
        instrument=Instrument(m["instrument_type"], m["instrument_jurisdiction"], m["vintage"]),
        terms=terms_from_json(m["terms"]),
        status_before_deficiency=Status(before) if before else None,
        flags=list(m["flags"] or []),
    )


class SqlAlchemyTransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, transfer: Transfer) -> None:
        await self.session.execute(transfers.insert().values(**_to_row(transfer)))

    async def get(self, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
        stmt = select(transfers).where(transfers.c.id == transfer_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return _from_row(row) if row else None

    async def by_ledger_request(self, request_id: str) -> Transfer | None:
        """The transfer a ledger answer belongs to: reservation, move or reversal request id."""
        stmt = (
            select(transfers)
            .where(or_(transfers.c.id == request_id, transfers.c.move_request_id == request_id,
                       transfers.c.reversal_request_id == request_id))
            .with_for_update()
        )
        row = (await self.session.execute(stmt)).first()
        return _from_row(row) if row else None

    async def save(self, transfer: Transfer) -> None:
        """Write back a transfer read in this transaction; refuse if someone changed it since."""
        row = _to_row(transfer)
        row["version"] = transfer.version + 1
        result = await self.session.execute(
            update(transfers)
            .where(and_(transfers.c.id == transfer.id, transfers.c.version == transfer.version))
            .values(**{k: v for k, v in row.items() if k != "id"})
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentModification(transfer_id=transfer.id)
        transfer.version += 1

    async def due_for_expiry(self, now: datetime, limit: int = 200) -> list[str]:
        stmt = (
            select(transfers.c.id)
            .where(transfers.c.deadline_at.is_not(None), transfers.c.deadline_at < now)
            .order_by(transfers.c.deadline_at)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def search(self, *, accounts_in: list[str] | None, jurisdictions: set[str] | None,
                     status: str | None, account: str | None, limit: int) -> list[Transfer]:
        stmt = select(transfers)
        visibility = []
        if accounts_in is not None:
            visibility.append(or_(transfers.c.source_account.in_(accounts_in),
                                  transfers.c.destination_account.in_(accounts_in)))
        if jurisdictions is not None:
            visibility.append(transfers.c.jurisdiction.in_(sorted(jurisdictions)))
        if visibility:
            stmt = stmt.where(or_(*visibility))
        if status:
            stmt = stmt.where(transfers.c.status == status)
        if account:
            stmt = stmt.where(or_(transfers.c.source_account == account, transfers.c.destination_account == account))
        stmt = stmt.order_by(transfers.c.submitted_at.desc()).limit(limit)
        return [_from_row(r) for r in (await self.session.execute(stmt)).all()]

    async def recorded_between(self, start: datetime, end: datetime) -> list[Any]:
        stmt = select(
            transfers.c.recorded_at, transfers.c.instrument_type, transfers.c.instrument_jurisdiction,
            transfers.c.vintage, transfers.c.transaction_type, transfers.c.price, transfers.c.currency,
            transfers.c.quantity, transfers.c.zero_price_reason,
        ).where(
            transfers.c.status.in_([Status.RECORDED, Status.REVERSING]),
            transfers.c.origin == Origin.REPRESENTATIVE,
            transfers.c.recorded_at >= start,
            transfers.c.recorded_at < end,
        )
        return list((await self.session.execute(stmt)).all())


def _account_view(m: Any) -> AccountView:
    reps = tuple((r["individual_id"], r["role"]) for r in m["representatives"])
    return AccountView(m["account_number"], m["account_type"], m["owner_kind"], m["entity_id"], m["jurisdiction"],
                       m["status"], reps)


def _entity_view(m: Any) -> EntityView:
    return EntityView(m["entity_id"], m["jurisdiction"], m["status"], frozenset(m["direct_associates"] or []),
                      bool(m["transfers_restricted"]))


class SqlAlchemyProjectionRepository:
    """Accounts and entities as last published by the registry (last write wins by occurred_at)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_account(self, values: dict[str, Any]) -> None:
        stmt = insert(accounts).values(**values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[accounts.c.account_number],
            set_={k: stmt.excluded[k] for k in values if k != "account_number"},
            where=accounts.c.as_of <= stmt.excluded.as_of,
        ))

    async def upsert_entity(self, values: dict[str, Any]) -> None:
        stmt = insert(entities).values(**values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[entities.c.entity_id],
            set_={k: stmt.excluded[k] for k in values if k != "entity_id"},
            where=entities.c.as_of <= stmt.excluded.as_of,
        ))

    async def account(self, number: str) -> AccountView | None:
        row = (await self.session.execute(select(accounts).where(accounts.c.account_number == number))).first()
        return _account_view(row._mapping) if row else None

    async def entity(self, entity_id: str | None) -> EntityView | None:
        if entity_id is None:
            return None
        row = (await self.session.execute(select(entities).where(entities.c.entity_id == entity_id))).first()
        return _entity_view(row._mapping) if row else None

    async def accounts_of_entity(self, entity_id: str | None) -> list[AccountView]:
        if entity_id is None:
            return []
        rows = (await self.session.execute(select(accounts).where(accounts.c.entity_id == entity_id))).all()
        return [_account_view(r._mapping) for r in rows]

    async def accounts_seen_by(self, individual_id: str) -> list[AccountView]:
        stmt = select(accounts).where(accounts.c.representatives.contains([{"individual_id": individual_id}]))
        return [_account_view(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def clearing_blocked(self, entity_id: str | None) -> bool:
        if entity_id is None:
            return False
        stmt = select(clearing_blocks.c.id).where(
            clearing_blocks.c.entity_id == entity_id, clearing_blocks.c.lifted_at.is_(None)
        ).limit(1)
        return (await self.session.execute(stmt)).first() is not None
