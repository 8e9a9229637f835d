"""Reconciliation: re-derive every holding from the journal alone and compare with the serial blocks.

Checks, on one consistent snapshot (REPEATABLE READ):
1. serial replay: every journal entry is replayed in order; a move whose source did not hold those
   serials, or a creation of serials that already exist, is reported;
2. the replayed serials of every account equal its blocks (same ranges, same kind);
3. balances by (account, instrument, jurisdiction, vintage) computed in SQL from the journal (in minus
   out) equal those of the blocks, and none is negative;
4. totals are conserved: what was created (issued, or received from a linked registry) per issuing
   jurisdiction equals what the blocks hold; no two blocks share a serial;
5. every movement's quantity equals its journal rows, the journal sequence has no gaps, every active
   reservation's blocks add up to its quantity and closed reservations hold nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncResult, AsyncSession

from services.registry.adapters.orm import holding_blocks, journal, ledger_moves, reservations
from services.registry.domain.ledger import Movement, Range, SerialReplay, merge_ranges

MAX_LISTED = 50
CHUNK = 20_000  # rows fetched per round trip when streaming the journal and the blocks


@dataclass
class ReconciliationReport:
    journal_entries: int = 0
    movements: int = 0
    blocks: int = 0
    accounts: int = 0
    created: dict[str, int] = field(default_factory=dict)  # issuing jurisdiction -> instruments created
    held: dict[str, int] = field(default_factory=dict)  # issuing jurisdiction -> instruments in blocks
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = [
            "registry ledger reconciliation",
            f"  journal entries: {self.journal_entries}  movements: {self.movements}  blocks: {self.blocks}  "
            f"accounts holding instruments: {self.accounts}",
        ]
        for jurisdiction in sorted(set(self.created) | set(self.held)):
            lines.append(f"  {jurisdiction}: created {self.created.get(jurisdiction, 0)}, "
                         f"held {self.held.get(jurisdiction, 0)}")
        if self.consistent:
            lines.append("  CONSISTENT: every balance re-derived from the journal matches the serial blocks")
        else:
            lines.append(f"  INCONSISTENT: {len(self.problems)} problem(s)")
            lines += [f"  - {p}" for p in self.problems[:MAX_LISTED]]
            if len(self.problems) > MAX_LISTED:
                lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        return "\n".join(lines)


def _fmt(ranges: list[Range]) -> str:
    shown = ", ".join(f"{r.instrument_type}/{r.jurisdiction}/{r.vintage}:{r.first}-{r.last}" for r in ranges[:5])
    return shown + (" ..." if len(ranges) > 5 else "")


async def _rows(result: AsyncResult[Any]) -> AsyncIterator[Any]:
    async for chunk in result.partitions():
        for row in chunk:
            yield row


async def reconcile(session: AsyncSession) -> ReconciliationReport:
    report = ReconciliationReport()
    await _replay_and_compare(session, report)
    await _balances(session, report)
    await _movements_and_reservations(session, report)
    return report


async def _replay_and_compare(session: AsyncSession, report: ReconciliationReport) -> None:
    replay = SerialReplay()
    j = journal.c
    stream = await session.stream(
        select(j.move_seq, j.instrument_type, j.jurisdiction, j.vintage, j.first_serial, j.last_serial,
               j.source_account, j.destination_account).order_by(j.move_seq, j.id)
        .execution_options(yield_per=CHUNK)
    )
    async for row in _rows(stream):
        report.journal_entries += 1
        r = Range(row.instrument_type, row.jurisdiction, row.vintage, row.first_serial, row.last_serial)
        if row.source_account is None:
            report.created[r.jurisdiction] = report.created.get(r.jurisdiction, 0) + r.quantity
        replay.apply(Movement(row.move_seq, "", row.source_account, row.destination_account, r, ""))
    report.problems += replay.problems
    derived = replay.holdings()

    b = holding_blocks.c
    actual: dict[str, list[Range]] = defaultdict(list)
    last: tuple[str, int] | None = None
    stream = await session.stream(
        select(b.account_number, b.instrument_type, b.jurisdiction, b.vintage, b.first_serial, b.last_serial)
        .order_by(b.jurisdiction, b.first_serial)
        .execution_options(yield_per=CHUNK)
    )
    async for row in _rows(stream):
        report.blocks += 1
        if row.first_serial < 1 or row.last_serial < row.first_serial:
            report.problems.append(f"block {row.jurisdiction} {row.first_serial}-{row.last_serial} is malformed")
        if last is not None and last[0] == row.jurisdiction and row.first_serial <= last[1]:
            report.problems.append(f"serial {row.jurisdiction} {row.first_serial} is in two blocks")
        last = (row.jurisdiction, row.last_serial)
        r = Range(row.instrument_type, row.jurisdiction, row.vintage, row.first_serial, row.last_serial)
        report.held[r.jurisdiction] = report.held.get(r.jurisdiction, 0) + r.quantity
        actual[row.account_number].append(r)
    report.accounts = len(actual)
    for account in sorted(set(derived) | set(actual)):
        mine = merge_ranges(actual.get(account, []))
        theirs = derived.get(account, [])
        if mine != theirs:
            only_journal = [r for r in theirs if r not in mine]
            only_blocks = [r for r in mine if r not in theirs]
            report.problems.append(
                f"account {account}: journal gives {sum(r.quantity for r in theirs)} "
                f"[{_fmt(only_journal)}], blocks hold {sum(r.quantity for r in mine)} [{_fmt(only_blocks)}]"
            )
    for jurisdiction in sorted(set(report.created) | set(report.held)):
        if report.created.get(jurisdiction, 0) != report.held.get(jurisdiction, 0):
            report.problems.append(
                f"{jurisdiction}: {report.created.get(jurisdiction, 0)} created but "
                f"{report.held.get(jurisdiction, 0)} held: totals are not conserved"
            )


async def _balances(session: AsyncSession, report: ReconciliationReport) -> None:
    j, b = journal.c, holding_blocks.c
    qty = j.last_serial - j.first_serial + 1
    keys = (j.instrument_type, j.jurisdiction, j.vintage)
    flows = union_all(
        select(j.destination_account.label("account"), *keys, qty.label("delta")),
        select(j.source_account.label("account"), *keys, (literal(0) - qty).label("delta"))
        .where(j.source_account.is_not(None)),
    ).subquery()
    derived = {
        (r[0], r[1], r[2], r[3]): int(r[4])
        for r in await session.execute(
            select(flows.c.account, flows.c.instrument_type, flows.c.jurisdiction, flows.c.vintage,
                   func.sum(flows.c.delta))
            .group_by(flows.c.account, flows.c.instrument_type, flows.c.jurisdiction, flows.c.vintage)
        )
    }
    held = {
        (r[0], r[1], r[2], r[3]): int(r[4])
        for r in await session.execute(
            select(b.account_number, b.instrument_type, b.jurisdiction, b.vintage,
                   func.sum(b.last_serial - b.first_serial + 1))
            .group_by(b.account_number, b.instrument_type, b.jurisdiction, b.vintage)
        )
    }
    for key in sorted(set(derived) | set(held), key=str):
        want, have = derived.get(key, 0), held.get(key, 0)
        if want < 0:
            report.problems.append(f"balance {key} derived from the journal is negative ({want})")
        if want != have:
            report.problems.append(f"balance {key}: journal {want}, blocks {have}")


async def _movements_and_reservations(session: AsyncSession, report: ReconciliationReport) -> None:
    m, j = ledger_moves.c, journal.c
    sums = (
        select(j.move_seq, func.sum(j.last_serial - j.first_serial + 1).label("q")).group_by(j.move_seq).subquery()
    )
    rows = await session.execute(
        select(m.seq, m.move_id, m.quantity, sums.c.q).select_from(
            ledger_moves.outerjoin(sums, sums.c.move_seq == m.seq)
        ).where(sums.c.q.is_(None) | (sums.c.q != m.quantity))
    )
    for seq, move_id, quantity, journaled in rows:
        report.problems.append(f"movement {seq} ({move_id}): {quantity} recorded, {journaled or 0} journaled")
    count, highest = (await session.execute(select(func.count(), func.coalesce(func.max(m.seq), 0)))).one()
    report.movements = int(count)
    if count != highest:
        report.problems.append(f"the journal sequence has gaps: {count} movements, highest sequence {highest}")
    b, res = holding_blocks.c, reservations.c
    reserved = (
        select(b.reservation_id, func.sum(b.last_serial - b.first_serial + 1).label("q"))
        .where(b.reservation_id.is_not(None)).group_by(b.reservation_id).subquery()
    )
    rows = await session.execute(
        select(res.id, res.status, res.quantity, reserved.c.q)
        .select_from(reservations.outerjoin(reserved, reserved.c.reservation_id == res.id))
        .where(((res.status == "active") & (func.coalesce(reserved.c.q, 0) != res.quantity))
               | ((res.status != "active") & reserved.c.q.is_not(None)))
    )
    for reservation_id, status, quantity, held in rows:
        report.problems.append(f"reservation {reservation_id} ({status}, {quantity}) has {held or 0} in blocks")
    orphans = await session.execute(
        select(reserved.c.reservation_id).select_from(
            reserved.outerjoin(reservations, reservations.c.id == reserved.c.reservation_id)
        ).where(reservations.c.id.is_(None))
    )
    for (reservation_id,) in orphans:
        report.problems.append(f"blocks reserved for unknown reservation {reservation_id}")
