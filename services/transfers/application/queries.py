"""Reads: one transfer, lists, notifications, and the public transfer report (§95921(e)(1))."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.transfers.adapters.repository import terms_to_json
from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Actor
from services.transfers.domain.errors import InvalidInput, TransferNotFound
from services.transfers.domain.model import Transfer

STAFF_ROLES = ("executive_officer", "accounts_administrator", "market_monitor", "registrar")
REPORT_MAX_DAYS = 366
REPORT_EARLIEST, REPORT_LATEST = date(2012, 1, 1), date(2199, 12, 31)
CENT = Decimal("0.01")


async def _visible(uow: TransfersUnitOfWork, actor: Actor, t: Transfer) -> bool:
    destination = await uow.projections.account(t.destination_account)
    jurisdictions = {t.jurisdiction, *([destination.jurisdiction] if destination else [])}
    if any(actor.is_staff_of(j, *STAFF_ROLES) for j in jurisdictions):
        return True
    accounts = [*await uow.projections.accounts_of_entity(t.source_entity_id), *([destination] if destination else [])]
    source = await uow.projections.account(t.source_account)
    if source is not None:
        accounts.append(source)
    return any(a.sees(actor.subject) for a in accounts)


def transfer_view(t: Transfer, deficiencies: list[Any] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "transfer_id": t.id, "version": t.version, "status": str(t.status), "origin": str(t.origin),
        "source_account": t.source_account, "destination_account": t.destination_account,
        "jurisdiction": t.jurisdiction,
        "instrument": {"instrument_type": t.instrument.instrument_type, "jurisdiction": t.instrument.jurisdiction,
                       "vintage": t.instrument.vintage},
        "quantity": t.quantity, "terms": terms_to_json(t.terms), "requires_acceptance": t.requires_acceptance,
        "submitted_by": t.submitted_by, "second_representative": t.named_confirmer, "submitted_at": t.submitted_at,
        "confirm_by": t.confirm_by if t.origin == "representative" else None,
        "accept_by": t.accept_by if t.requires_acceptance else None,
        "deadline": t.deadline(),
        "confirmed_by": t.confirmed_by, "confirmed_at": t.confirmed_at,
        "accepted_by": t.accepted_by, "accepted_at": t.accepted_at,
        "determined_by": t.determined_by, "determined_at": t.determined_at,
        "determination_reason": t.determination_reason,
        "outcome": {"code": t.outcome_code, "message": t.outcome_message} if t.outcome_code else None,
        "move_id": t.move_id, "recorded_at": t.recorded_at, "flags": list(t.flags),
        "reversal_move_id": t.reversal_move_id, "reversed_at": t.reversed_at, "note": t.note,
        "retain_until": t.retain_until,
    }
    if deficiencies is not None:
        view["deficiencies"] = [
            {"deficiency_id": d.id, "stage": d.stage, "kind": d.kind, "responsible": d.responsible,
             "problem": d.problem, "fields": d.fields, "found_at": d.found_at, "correct_by": d.correct_by,
             "status": d.status, "resolved_by": d.resolved_by, "resolved_at": d.resolved_at,
             "resolution": d.resolution}
            for d in deficiencies
        ]
    return view


async def get_transfer(transfer_id: str, *, actor: Actor, uow: TransfersUnitOfWork) -> dict[str, Any]:
    async with uow:
        t = await uow.transfers.get(transfer_id)
        if t is None or not await _visible(uow, actor, t):
            raise TransferNotFound(transfer_id=transfer_id)  # not visible looks like absent (§95921(e)(2))
        return transfer_view(t, await uow.oversight.deficiencies_of(t.id))


async def list_transfers(*, actor: Actor, uow: TransfersUnitOfWork, status: str | None, account: str | None,
                         limit: int) -> list[dict[str, Any]]:
    async with uow:
        jurisdictions = {j for r in STAFF_ROLES for j in _jurisdictions(actor, r)}
        seen = await uow.projections.accounts_seen_by(actor.subject)
        numbers = [a.account_number for a in seen]
        for entity_id in {a.entity_id for a in seen if a.entity_id}:
            numbers += [a.account_number for a in await uow.projections.accounts_of_entity(entity_id)]
        found = await uow.transfers.search(accounts_in=sorted(set(numbers)), jurisdictions=jurisdictions or None,
                                           status=status, account=account, limit=limit)
        return [transfer_view(t) for t in found]


def _jurisdictions(actor: Actor, role: str) -> set[str]:
    return {r.split(":", 1)[1] for r in actor.roles if r.startswith(role + ":")}


async def notifications_for(*, actor: Actor, uow: TransfersUnitOfWork, transfer_id: str | None,
                            since: datetime | None, limit: int) -> list[dict[str, Any]]:
    recipients = [actor.subject, *(f"role:{r}" for r in actor.roles if ":" in r)]
    async with uow:
        return await uow.notifications.for_recipients(recipients, transfer_id=transfer_id, since=since, limit=limit)


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


async def public_report(*, uow: TransfersUnitOfWork, start: date | None, end: date | None,
                        today: date) -> dict[str, Any]:
    """§95921(e)(1): price and quantity by instrument, vintage and transaction type, never the parties."""
    end = end or today
    start = start or end - timedelta(days=29)
    if not (REPORT_EARLIEST <= start <= end <= REPORT_LATEST) or (end - start).days >= REPORT_MAX_DAYS:
        raise InvalidInput(f"the period must run forward and span at most {REPORT_MAX_DAYS} days",
                           start=str(start), end=str(end))
    lo = datetime.combine(start, time.min, tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    async with uow:
        rows = await uow.transfers.recorded_between(lo, hi)
    groups: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"transfers": 0, "quantity": 0, "priced_quantity": 0, "value": Decimal(0), "min": None, "max": None,
                 "zero_price_transfers": 0})
    for r in rows:
        key = (r.recorded_at.astimezone(UTC).date(), r.instrument_type, r.instrument_jurisdiction, r.vintage,
               r.transaction_type, r.currency)
        g = groups[key]
        g["transfers"] += 1
        g["quantity"] += r.quantity
        if r.price is None:
            continue
        if r.price == 0:
            g["zero_price_transfers"] += 1  # (b)(6) transfers: counted, not averaged into the price
            continue
        g["priced_quantity"] += r.quantity
        g["value"] += r.price * r.quantity
        g["min"] = r.price if g["min"] is None else min(g["min"], r.price)
        g["max"] = r.price if g["max"] is None else max(g["max"], r.price)
    lines = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        g = groups[key]
        day, itype, ijur, vintage, ttype, currency = key
        lines.append({
            "date": day, "instrument_type": itype, "instrument_jurisdiction": ijur, "vintage": vintage,
            "transaction_type": ttype, "currency": currency, "transfers": g["transfers"], "quantity": g["quantity"],
            "volume_weighted_price": _money(g["value"] / g["priced_quantity"]) if g["priced_quantity"] else None,
            "min_price": _money(g["min"]) if g["min"] is not None else None,
            "max_price": _money(g["max"]) if g["max"] is not None else None,
            "zero_price_transfers": g["zero_price_transfers"],
        })
    return {"from": start, "to": end, "lines": lines}
