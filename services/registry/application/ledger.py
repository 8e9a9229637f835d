"""Ledger use cases: issue, reserve, release, move, retire, receive from a linked registry.

Each runs inside the caller's open unit of work and does not commit: an HTTP route commits, a bus
consumer commits together with its inbox row. Every change locks the accounts it touches first (in
account-number order), so the blocks of an account never change under a running move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.registry.adapters.ledger_repository import RecordedMove
from services.registry.adapters.repository import account_view
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import jurisdiction_account_number
from services.registry.application.limits import check_addition
from services.registry.application.policy import LinkedRegistryPolicy, RegistryPolicy
from services.registry.domain.account_numbers import normalize_account_number
from services.registry.domain.accounts import (
    AccountType,
    AccountView,
    check_destination,
    check_issuance,
    check_move,
    check_source,
)
from services.registry.domain.errors import (
    ComplianceAccountOneWay,
    Conflict,
    Forbidden,
    InvalidInput,
    ReservationMismatch,
    ReservationNotActive,
    ReservationNotFound,
    SameAccount,
    SerialsAlreadyRecorded,
    UnknownAccount,
)
from services.registry.domain.holding_limits import Holding
from services.registry.domain.jurisdictions import ensure_may_hold
from services.registry.domain.ledger import Block, Range, Spec, merge_ranges, validate_instrument, validate_quantity
from shared.contracts.registry import (
    InstrumentsIssued,
    InstrumentsRetired,
    LedgerMovementReported,
    MoveRecorded,
    SerialRange,
)

RETIREMENT_REASONS = ("surrender", "voluntary_retirement")


@dataclass(frozen=True)
class MoveCommand:
    request_id: str
    requested_by: str
    source_account: str
    destination_account: str
    spec: Spec
    quantity: int
    reason: str
    reservation_id: str | None = None
    check_holding_limit: bool = True
    reference: str | None = None


@dataclass(frozen=True)
class MoveResult:
    move: RecordedMove
    answer: MoveRecorded  # already published, in the caller's transaction


def serial_ranges(ranges: Sequence[Range]) -> list[SerialRange]:
    return [
        SerialRange(instrument_type=r.instrument_type, jurisdiction=r.jurisdiction,  # type: ignore[arg-type]
                    vintage=r.vintage, first_serial=r.first, last_serial=r.last)
        for r in ranges
    ]


async def _views(uow: RegistryUnitOfWork, numbers: Sequence[str]) -> dict[str, tuple[AccountView, Any]]:
    rows = await uow.registry.lock_accounts(numbers)
    for number in numbers:
        if number not in rows:
            raise UnknownAccount("no such account", account_number=number)
    entities = await uow.registry.entities_by_id(r.entity_id for r in rows.values() if r.entity_id)
    return {n: (account_view(r, entities.get(r.entity_id)), r) for n, r in rows.items()}


async def report_movement(uow: RegistryUnitOfWork, move: RecordedMove) -> None:
    await uow.publish(
        LedgerMovementReported(
            sequence=move.seq, move_id=move.move_id, kind=move.kind,  # type: ignore[arg-type]
            source_account=move.source, destination_account=move.destination, quantity=move.quantity,
            serials=serial_ranges(move.ranges), reason=move.reason, recorded_at=move.recorded_at,
        )
    )


async def issue(uow: RegistryUnitOfWork, policy: RegistryPolicy, *, jurisdiction: str, instrument_type: str,
                vintage: int | None, quantity: int, account_number: str | None, by: str) -> RecordedMove:
    """Create new instruments with fresh serial numbers in one of the jurisdiction's accounts."""
    if jurisdiction not in policy.jurisdictions:
        raise InvalidInput("unknown jurisdiction", jurisdiction=jurisdiction)
    validate_instrument(instrument_type, vintage, issuing=True)
    validate_quantity(quantity)
    number = (normalize_account_number(account_number) if account_number
              else await jurisdiction_account_number(uow, jurisdiction, AccountType.ISSUANCE))
    view, _ = (await _views(uow, [number]))[number]
    check_issuance(view, jurisdiction)
    first = await uow.ledger.counters.take(f"serial:{jurisdiction}", quantity)
    block = Block(number, instrument_type, jurisdiction, vintage, first, first + quantity - 1)
    await uow.ledger.place(block)
    now = uow.clock.now()
    move = await uow.ledger.record(kind="issuance", source=None, destination=number, ranges=[block.range()],
                                   reason="issuance", request_id=None, reference=None, by=by, at=now)
    await uow.publish(InstrumentsIssued(move_id=move.move_id, account_number=number,
                                        serials=serial_ranges(move.ranges), issued_at=now))
    await report_movement(uow, move)
    await uow.audit("ledger.issued", number, {"move_id": move.move_id, "jurisdiction": jurisdiction,
                                              "instrument_type": instrument_type, "vintage": vintage,
                                              "first": block.first, "last": block.last})
    return move


async def reserve(uow: RegistryUnitOfWork, *, reservation_id: str, account_number: str, spec: Spec, quantity: int,
                  purpose: str, by: str) -> list[Range]:
    """Set aside free instruments (lowest serials first) for a pending transfer."""
    validate_instrument(spec.instrument_type, spec.vintage)
    validate_quantity(quantity)
    number = normalize_account_number(account_number)
    view, _ = (await _views(uow, [number]))[number]
    check_source(view, now=uow.clock.now())
    if view.account_type is AccountType.COMPLIANCE:
        raise ComplianceAccountOneWay("instruments in a compliance account are not transferred")
    if await uow.ledger.reservation(reservation_id) is not None:
        raise Conflict("this reservation id is already used", reservation_id=reservation_id)
    taken = await uow.ledger.take_free(number, spec, quantity)
    for block in taken:
        await uow.ledger.place(Block(number, block.instrument_type, block.jurisdiction, block.vintage, block.first,
                                     block.last, reservation_id))
    await uow.ledger.add_reservation(
        id=reservation_id, account_number=number, instrument_type=spec.instrument_type,
        jurisdiction=spec.jurisdiction, vintage=spec.vintage, quantity=quantity, purpose=purpose, requested_by=by,
        status="active", created_at=uow.clock.now(),
    )
    ranges = merge_ranges(b.range() for b in taken)
    await uow.audit("ledger.reserved", number, {"reservation_id": reservation_id, "quantity": quantity})
    return ranges


async def release(uow: RegistryUnitOfWork, *, reservation_id: str, by: str, reason: str) -> str:
    """Return a reservation's blocks to the account's free holdings. Returns the account number."""
    reservation = await uow.ledger.reservation(reservation_id, for_update=True)
    if reservation is None:
        raise ReservationNotFound("no such reservation", reservation_id=reservation_id)
    if reservation.status != "active":
        raise ReservationNotActive(f"the reservation is {reservation.status}", reservation_id=reservation_id)
    await uow.registry.lock_accounts([reservation.account_number])
    for block in await uow.ledger.detach_reserved(reservation_id):
        await uow.ledger.place(Block(block.account, block.instrument_type, block.jurisdiction, block.vintage,
                                     block.first, block.last, None))
    await uow.ledger.close_reservation(reservation_id, "released", uow.clock.now())
    await uow.audit("ledger.released", reservation.account_number,
                    {"reservation_id": reservation_id, "reason": reason, "by": by})
    return str(reservation.account_number)


async def execute_move(uow: RegistryUnitOfWork, policy: RegistryPolicy, cmd: MoveCommand,
                       *, system: bool = False) -> MoveResult:
    """Move instruments (the reserved ones, or free ones lowest serial first) atomically."""
    validate_instrument(cmd.spec.instrument_type, cmd.spec.vintage)
    validate_quantity(cmd.quantity)
    source = normalize_account_number(cmd.source_account)
    destination = normalize_account_number(cmd.destination_account)
    if source == destination:
        raise SameAccount("source and destination are the same account", account_number=source)
    views = await _views(uow, [source, destination])
    src, dst = views[source][0], views[destination][0]
    now = uow.clock.now()
    check_move(src, dst, {cmd.spec.jurisdiction}, linkage=policy.linkage, now=now, system=system,
               reversal=cmd.reason == "reversal")
    if cmd.reservation_id is not None:
        taken = await _consume_reservation(uow, cmd, source)
    else:
        taken = await uow.ledger.take_free(source, cmd.spec, cmd.quantity)
    if cmd.check_holding_limit and dst.entity_id is not None:
        # §95920(b)(4): the Executive Officer does not approve a transfer over the holding limit
        await check_addition(uow, policy, dst.entity_id, [
            Holding(dst.entity_id, dst.account_type, b.vintage or 0, b.quantity)
            for b in taken if b.instrument_type == "allowance"
        ])
    for block in taken:
        await uow.ledger.place(Block(destination, block.instrument_type, block.jurisdiction, block.vintage,
                                     block.first, block.last, None))
    retirement = dst.account_type is AccountType.RETIREMENT
    move = await uow.ledger.record(
        kind="retirement" if retirement else "move", source=source, destination=destination,
        ranges=merge_ranges(b.range() for b in taken), reason=cmd.reason, request_id=cmd.request_id,
        reference=cmd.reference, by=cmd.requested_by, at=now,
    )
    serials = serial_ranges(move.ranges)
    answer = MoveRecorded(
        request_id=cmd.request_id, move_id=move.move_id, source_account=source, destination_account=destination,
        quantity=move.quantity, serials=serials, reason=cmd.reason, reference=cmd.reference, recorded_at=now,
    )
    await uow.publish(answer)
    if retirement:
        await uow.publish(InstrumentsRetired(move_id=move.move_id, account_number=source, serials=serials,
                                             reason=cmd.reason, retired_at=now))
    await report_movement(uow, move)
    await uow.audit("ledger.moved", source, {
        "move_id": move.move_id, "request_id": cmd.request_id, "destination": destination,
        "quantity": move.quantity, "reason": cmd.reason, "requested_by": cmd.requested_by,
    })
    return MoveResult(move, answer)


async def _consume_reservation(uow: RegistryUnitOfWork, cmd: MoveCommand, source: str) -> list[Block]:
    assert cmd.reservation_id is not None
    reservation = await uow.ledger.reservation(cmd.reservation_id, for_update=True)
    if reservation is None:
        raise ReservationNotFound("no such reservation", reservation_id=cmd.reservation_id)
    if reservation.status != "active":
        raise ReservationNotActive(f"the reservation is {reservation.status}", reservation_id=cmd.reservation_id)
    reserved = (reservation.account_number, reservation.instrument_type, reservation.jurisdiction,
                reservation.vintage, reservation.quantity)
    asked = (source, cmd.spec.instrument_type, cmd.spec.jurisdiction, cmd.spec.vintage, cmd.quantity)
    if reserved != asked:
        raise ReservationMismatch("the move does not match its reservation", reservation_id=cmd.reservation_id)
    taken = await uow.ledger.detach_reserved(cmd.reservation_id)
    await uow.ledger.close_reservation(cmd.reservation_id, "consumed", uow.clock.now())
    return taken


async def retire(uow: RegistryUnitOfWork, policy: RegistryPolicy, *, request_id: str, account_number: str,
                 spec: Spec, quantity: int, reason: str, by: str) -> MoveResult:
    """Surrender (from a compliance account) or voluntary retirement, into the jurisdiction's
    retirement account, from which nothing ever leaves."""
    if reason not in RETIREMENT_REASONS:
        raise InvalidInput("reason is surrender or voluntary_retirement", reason=reason)
    number = normalize_account_number(account_number)
    account = await uow.registry.account(number)
    if account is None:
        raise UnknownAccount("no such account", account_number=number)
    if reason == "surrender" and account.account_type != AccountType.COMPLIANCE.value:
        raise InvalidInput("instruments are surrendered from a compliance account")
    retirement = await jurisdiction_account_number(uow, account.jurisdiction, AccountType.RETIREMENT)
    return await execute_move(uow, policy, MoveCommand(
        request_id=request_id, requested_by=by, source_account=number, destination_account=retirement,
        spec=spec, quantity=quantity, reason=reason, check_holding_limit=False,
    ))


async def receive_inbound(uow: RegistryUnitOfWork, policy: RegistryPolicy, linked: LinkedRegistryPolicy, *,
                          external_transfer_id: str, destination_account: str, ranges: list[Range],
                          by: str) -> RecordedMove:
    """Instruments transferred in from a linked registry: its own jurisdiction's serials, recorded as
    created here (journal source NULL, reason linkage_inbound) so reconciliation accounts for them.
    Idempotent per (client, external transfer id): a repeated call returns the first recording."""
    previous = await uow.ledger.inbound(external_transfer_id, linked.client_id)
    if previous is not None:
        recorded = await uow.ledger.move(previous.move_id)
        assert recorded is not None
        return recorded
    if not ranges:
        raise InvalidInput("no serial ranges")
    for r in ranges:
        if r.jurisdiction != linked.jurisdiction:
            raise Forbidden("a linked registry transfers only its own jurisdiction's instruments",
                            jurisdiction=r.jurisdiction)
        validate_instrument(r.instrument_type, r.vintage)
        if r.first < 1 or r.last < r.first:
            raise InvalidInput("a serial range runs from first to last, both positive", first=r.first, last=r.last)
    merged = merge_ranges(ranges)
    if sum(r.quantity for r in merged) != sum(r.quantity for r in ranges):
        raise InvalidInput("the serial ranges overlap")
    number = normalize_account_number(destination_account)
    view, _ = (await _views(uow, [number]))[number]
    check_destination(view)
    ensure_may_hold(view.jurisdiction, linked.jurisdiction, policy.linkage)
    for r in merged:
        if not await uow.ledger.serials_free(r.jurisdiction, r.first, r.last):
            raise SerialsAlreadyRecorded("some serials are already recorded here", first=r.first, last=r.last)
    if view.entity_id is not None:
        await check_addition(uow, policy, view.entity_id, [
            Holding(view.entity_id, view.account_type, r.vintage or 0, r.quantity)
            for r in merged if r.instrument_type == "allowance"
        ])
    for r in merged:
        await uow.ledger.place(Block(number, r.instrument_type, r.jurisdiction, r.vintage, r.first, r.last))
    move = await uow.ledger.record(
        kind="inbound", source=None, destination=number, ranges=merged, reason="linkage_inbound",
        request_id=None, reference=f"{linked.client_id}:{external_transfer_id}", by=by, at=uow.clock.now(),
    )
    await uow.ledger.add_inbound(
        external_transfer_id=external_transfer_id, client_id=linked.client_id, jurisdiction=linked.jurisdiction,
        destination_account=number, move_id=move.move_id, quantity=move.quantity, received_at=move.recorded_at,
    )
    await report_movement(uow, move)
    await uow.audit("ledger.inbound", number, {"move_id": move.move_id, "client": linked.client_id,
                                               "external_transfer_id": external_transfer_id,
                                               "quantity": move.quantity})
    return move
