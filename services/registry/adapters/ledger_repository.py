"""Serial blocks, reservations, the journal and the request log, on PostgreSQL.

Every change to an account's blocks happens while that account's row is locked (the application
locks source and destination, in account-number order, before touching blocks), so the blocks of
one account never change under a running move. The exclusion constraint on holding_blocks makes
"a serial is in exactly one block" a database fact, whatever the code does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.adapters.orm import (
    accounts,
    counters,
    holding_blocks,
    journal,
    ledger_moves,
    ledger_requests,
    linkage_inbound,
    reservations,
)
from services.registry.domain.ledger import Block, Range, Spec, plan_take

PICK_BATCH = 256
_b = holding_blocks.c
_span = func.int8range(_b.first_serial, _b.last_serial, literal_column("'[]'"))


def _block(row: Any) -> Block:
    return Block(row.account_number, row.instrument_type, row.jurisdiction, row.vintage, row.first_serial,
                 row.last_serial, row.reservation_id)


@dataclass(frozen=True)
class RecordedMove:
    move_id: str
    seq: int
    kind: str
    source: str | None
    destination: str
    ranges: list[Range]
    reason: str
    request_id: str | None
    reference: str | None
    recorded_at: datetime

    @property
    def quantity(self) -> int:
        return sum(r.quantity for r in self.ranges)


class Counters:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take(self, name: str, n: int = 1) -> int:
        """Allocate n consecutive values; returns the first. The row stays locked until commit, so
        values are handed out in commit order (the journal sequence relies on it)."""
        stmt = insert(counters).values(name=name, value=n)
        stmt = stmt.on_conflict_do_update(index_elements=[counters.c.name], set_={"value": counters.c.value + n})
        last = (await self.session.execute(stmt.returning(counters.c.value))).scalar_one()
        return int(last) - n + 1

    async def peek(self, name: str) -> int:
        value = (await self.session.execute(select(counters.c.value).where(counters.c.name == name))).scalar()
        return int(value or 0)


class SqlAlchemyLedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.counters = Counters(session)

    # -- blocks ------------------------------------------------------------------------------------
    async def take_free(self, account: str, spec: Spec, quantity: int) -> list[Block]:
        """Detach `quantity` free instruments, lowest serial first, splitting the last block."""
        candidates: list[Block] = []
        covered = 0
        after = 0
        while covered < quantity:
            conditions = [
                _b.account_number == account, _b.instrument_type == spec.instrument_type,
                _b.jurisdiction == spec.jurisdiction, _b.reservation_id.is_(None), _b.first_serial > after,
            ]
            if spec.vintage is not None:
                conditions.append(_b.vintage == spec.vintage)
            rows = (
                await self.session.execute(
                    select(holding_blocks).where(*conditions).order_by(_b.first_serial).limit(PICK_BATCH)
                )
            ).all()
            if not rows:
                break
            for row in rows:
                block = _block(row)
                candidates.append(block)
                covered += block.quantity
                if covered >= quantity:
                    break
            after = rows[-1].first_serial
        taken: list[Block] = []
        for block, count in plan_take(candidates, quantity):
            taken.append(await self._detach(block, count))
        return taken

    async def _detach(self, block: Block, count: int) -> Block:
        key = and_(_b.jurisdiction == block.jurisdiction, _b.first_serial == block.first)
        if count == block.quantity:
            await self.session.execute(holding_blocks.delete().where(key))
            return block
        # the lowest `count` serials leave; the rest stays in place
        await self.session.execute(holding_blocks.update().where(key).values(first_serial=block.first + count))
        return replace(block, last=block.first + count - 1)

    async def detach_reserved(self, reservation_id: str) -> list[Block]:
        rows = (
            await self.session.execute(
                holding_blocks.delete().where(_b.reservation_id == reservation_id).returning(holding_blocks)
            )
        ).all()
        return sorted((_block(r) for r in rows), key=lambda b: (b.jurisdiction, b.first))

    async def place(self, block: Block) -> None:
        """Insert a detached block, coalescing with an adjacent block of the same kind on either side."""
        # the block just below (greatest first serial under ours) and the one starting right after ours,
        # both found on the (jurisdiction, first_serial) b-tree
        below = (
            select(_b.first_serial)
            .where(_b.jurisdiction == block.jurisdiction, _b.first_serial < block.first)
            .order_by(_b.first_serial.desc())
            .limit(1)
            .scalar_subquery()
        )
        rows = (
            await self.session.execute(
                select(holding_blocks).where(
                    _b.jurisdiction == block.jurisdiction,
                    (_b.first_serial == block.last + 1) | (_b.first_serial == below),
                )
            )
        ).all()
        first, last, left_id = block.first, block.last, None
        for row in rows:
            neighbour = _block(row)
            if not neighbour.same_kind(block):
                continue
            if neighbour.last + 1 == block.first:
                left_id, first = row.id, neighbour.first
            elif neighbour.first == block.last + 1:
                await self.session.execute(holding_blocks.delete().where(_b.id == row.id))
                last = neighbour.last
        if left_id is not None:
            await self.session.execute(holding_blocks.update().where(_b.id == left_id).values(last_serial=last))
            return
        await self.session.execute(
            holding_blocks.insert().values(
                account_number=block.account, instrument_type=block.instrument_type,
                jurisdiction=block.jurisdiction, vintage=block.vintage, first_serial=first, last_serial=last,
                reservation_id=block.reservation,
            )
        )

    async def serials_free(self, jurisdiction: str, first: int, last: int) -> bool:
        found = (
            await self.session.execute(
                select(_b.id).where(
                    _b.jurisdiction == jurisdiction,
                    _span.op("&&")(func.int8range(first, last, literal_column("'[]'"))),
                ).limit(1)
            )
        ).first()
        return found is None

    async def blocks(self, account: str, *, limit: int = 1000, after: tuple[str, int] | None = None) -> list[Block]:
        stmt = select(holding_blocks).where(_b.account_number == account)
        if after is not None:
            stmt = stmt.where(
                (_b.jurisdiction > after[0]) | and_(_b.jurisdiction == after[0], _b.first_serial > after[1])
            )
        rows = (await self.session.execute(stmt.order_by(_b.jurisdiction, _b.first_serial).limit(limit))).all()
        return [_block(r) for r in rows]

    async def balances(self, account: str) -> list[dict[str, Any]]:
        qty = _b.last_serial - _b.first_serial + 1
        rows = (
            await self.session.execute(
                select(
                    _b.instrument_type, _b.jurisdiction, _b.vintage, func.sum(qty).label("total"),
                    func.coalesce(func.sum(qty).filter(_b.reservation_id.is_not(None)), 0).label("reserved"),
                    func.count().label("blocks"),
                )
                .where(_b.account_number == account)
                .group_by(_b.instrument_type, _b.jurisdiction, _b.vintage)
                .order_by(_b.instrument_type, _b.jurisdiction, _b.vintage)
            )
        ).all()
        return [
            {"instrument_type": r.instrument_type, "jurisdiction": r.jurisdiction, "vintage": r.vintage,
             "quantity": int(r.total), "reserved": int(r.reserved), "available": int(r.total) - int(r.reserved),
             "blocks": int(r.blocks)}
            for r in rows
        ]

    async def compliance_totals(self) -> list[dict[str, Any]]:
        """Quantities in compliance accounts, by account jurisdiction and instrument; no account or owner."""
        qty = func.sum(_b.last_serial - _b.first_serial + 1)
        rows = (
            await self.session.execute(
                select(accounts.c.jurisdiction, _b.instrument_type, _b.jurisdiction.label("issued_by"), _b.vintage,
                       qty.label("quantity"))
                .select_from(holding_blocks.join(accounts, accounts.c.number == _b.account_number))
                .where(accounts.c.account_type == "compliance")
                .group_by(accounts.c.jurisdiction, _b.instrument_type, _b.jurisdiction, _b.vintage)
                .order_by(accounts.c.jurisdiction, _b.instrument_type, _b.jurisdiction, _b.vintage)
            )
        ).all()
        return [
            {"account_jurisdiction": r[0], "instrument_type": r[1], "issued_by": r[2], "vintage": r[3],
             "quantity": int(r[4])}
            for r in rows
        ]

    async def allowance_holdings(self, entity_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(entity, account type, vintage, quantity) of allowances in the entities' accounts."""
        qty = func.sum(_b.last_serial - _b.first_serial + 1)
        rows = (
            await self.session.execute(
                select(accounts.c.entity_id, accounts.c.account_type, _b.vintage, qty)
                .select_from(holding_blocks.join(accounts, accounts.c.number == _b.account_number))
                .where(accounts.c.entity_id.in_(list(entity_ids)), _b.instrument_type == "allowance")
                .group_by(accounts.c.entity_id, accounts.c.account_type, _b.vintage)
            )
        ).all()
        return [(r[0], r[1], int(r[2] or 0), int(r[3])) for r in rows]

    # -- reservations ----------------------------------------------------------------------------
    async def reservation(self, reservation_id: str, *, for_update: bool = False) -> Any:
        stmt = select(reservations).where(reservations.c.id == reservation_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def add_reservation(self, **values: Any) -> None:
        await self.session.execute(reservations.insert().values(**values))

    async def close_reservation(self, reservation_id: str, status: str, at: datetime) -> None:
        await self.session.execute(
            reservations.update().where(reservations.c.id == reservation_id).values(status=status, closed_at=at)
        )

    async def active_reservations(self, account: str) -> list[str]:
        rows = await self.session.execute(
            select(reservations.c.id).where(reservations.c.account_number == account, reservations.c.status == "active")
        )
        return [r[0] for r in rows]

    # -- request log (request_id idempotency) ------------------------------------------------------
    async def request(self, request_id: str, command_type: str) -> Any:
        return (
            await self.session.execute(
                select(ledger_requests).where(
                    ledger_requests.c.request_id == request_id, ledger_requests.c.command_type == command_type
                )
            )
        ).first()

    async def requests(self, request_id: str) -> list[Any]:
        stmt = select(ledger_requests).where(ledger_requests.c.request_id == request_id)
        return list((await self.session.execute(stmt.order_by(ledger_requests.c.processed_at))).all())

    async def save_request(self, **values: Any) -> None:
        await self.session.execute(ledger_requests.insert().values(**values))

    # -- journal --------------------------------------------------------------------------------
    async def record(
        self, *, kind: str, source: str | None, destination: str, ranges: list[Range], reason: str,
        request_id: str | None, reference: str | None, by: str, at: datetime,
    ) -> RecordedMove:
        """Append one movement. Takes the journal sequence last, so the counter row is held only
        from here to the commit; sequences are therefore gap-free and in commit order."""
        move_id = "mv_" + uuid.uuid4().hex[:24]
        seq = await self.counters.take("journal")
        quantity = sum(r.quantity for r in ranges)
        await self.session.execute(
            ledger_moves.insert().values(
                seq=seq, move_id=move_id, kind=kind, source_account=source, destination_account=destination,
                quantity=quantity, reason=reason, request_id=request_id, reference=reference, recorded_by=by,
                recorded_at=at,
            )
        )
        await self.session.execute(
            journal.insert(),
            [
                {"move_seq": seq, "instrument_type": r.instrument_type, "jurisdiction": r.jurisdiction,
                 "vintage": r.vintage, "first_serial": r.first, "last_serial": r.last, "source_account": source,
                 "destination_account": destination}
                for r in ranges
            ],
        )
        return RecordedMove(move_id, seq, kind, source, destination, ranges, reason, request_id, reference, at)

    async def move(self, move_id: str) -> RecordedMove | None:
        seq = (await self.session.execute(select(ledger_moves.c.seq).where(ledger_moves.c.move_id == move_id))).scalar()
        if seq is None:
            return None
        found = await self.moves_after(int(seq) - 1, 1)
        return found[0] if found else None

    async def inbound(self, external_transfer_id: str, client_id: str) -> Any:
        stmt = select(linkage_inbound).where(
            linkage_inbound.c.external_transfer_id == external_transfer_id, linkage_inbound.c.client_id == client_id
        )
        return (await self.session.execute(stmt)).first()

    async def add_inbound(self, **values: Any) -> None:
        await self.session.execute(linkage_inbound.insert().values(**values))

    async def detach_all(self, account: str) -> list[Block]:
        rows = (
            await self.session.execute(
                holding_blocks.delete().where(_b.account_number == account).returning(holding_blocks)
            )
        ).all()
        return sorted((_block(r) for r in rows), key=lambda b: (b.jurisdiction, b.first))

    async def moves_after(self, after: int, limit: int) -> list[RecordedMove]:
        heads = (
            await self.session.execute(
                select(ledger_moves).where(ledger_moves.c.seq > after).order_by(ledger_moves.c.seq).limit(limit)
            )
        ).all()
        if not heads:
            return []
        rows = (
            await self.session.execute(
                select(journal).where(journal.c.move_seq.in_([h.seq for h in heads])).order_by(journal.c.id)
            )
        ).all()
        by_seq: dict[int, list[Range]] = {}
        for r in rows:
            by_seq.setdefault(r.move_seq, []).append(
                Range(r.instrument_type, r.jurisdiction, r.vintage, r.first_serial, r.last_serial)
            )
        return [
            RecordedMove(h.move_id, h.seq, h.kind, h.source_account, h.destination_account, by_seq.get(h.seq, []),
                         h.reason, h.request_id, h.reference, h.recorded_at)
            for h in heads
        ]
