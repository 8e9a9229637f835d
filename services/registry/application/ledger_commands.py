"""The ledger commands other services send on registry.ledger-commands.v1, applied exactly once.

Two guards: the consumer's inbox drops a redelivered event (same event id); the request log drops a
command sent again under the same request id (a new event id). A duplicate has no effect and no
second answer: the first answer was published once, through the outbox, and stays readable at
GET /v1/ledger/requests/{request_id}. A refusal is an answer too (MoveRefused/ReservationRefused
with the domain error's code); the refused command's partial work is rolled back to a savepoint,
while the inbox row, the request log row and the answer commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.ledger import MoveCommand, execute_move, release, reserve, serial_ranges
from services.registry.application.policy import RegistryPolicy
from services.registry.domain.errors import DomainError
from services.registry.domain.ledger import Spec
from shared.contracts.base import Event
from shared.contracts.registry import (
    ExecuteMove,
    InstrumentsReserved,
    MoveRefused,
    ReleaseReservation,
    ReservationRefused,
    ReservationReleased,
    ReserveInstruments,
)


async def apply_once(
    uow: RegistryUnitOfWork, *, command_type: str, request_id: str, requested_by: str,
    apply: Callable[[], Awaitable[tuple[Event, bool]]], refuse: Callable[[DomainError], Event],
) -> Event | None:
    """Apply a command unless its request id was already applied; publish and log the answer.

    `apply` returns the answer and whether it already published it (execute_move publishes its own
    MoveRecorded, with the feed record, in the same savepoint)."""
    if await uow.ledger.request(request_id, command_type) is not None:
        await uow.audit("ledger.duplicate_request", request_id, {"command": command_type, "by": requested_by})
        return None
    try:
        async with uow.session.begin_nested():
            answer, published = await apply()
        outcome = "applied"
    except DomainError as exc:
        answer, published, outcome = refuse(exc), False, "refused"
        await uow.audit("ledger.refused", request_id, {"command": command_type, "code": exc.code,
                                                       "message": exc.message, "by": requested_by})
    if not published:
        await uow.publish(answer)
    await uow.ledger.save_request(
        request_id=request_id, command_type=command_type, outcome=outcome, answer_type=answer.EVENT_TYPE,
        answer=answer.model_dump(mode="json"), requested_by=requested_by, processed_at=uow.clock.now(),
    )
    return answer


async def log_request(uow: RegistryUnitOfWork, *, command_type: str, request_id: str, requested_by: str,
                      answer: Event) -> None:
    """Record an HTTP-initiated ledger action under its request id (the same idempotency as the bus)."""
    await uow.ledger.save_request(
        request_id=request_id, command_type=command_type, outcome="applied", answer_type=answer.EVENT_TYPE,
        answer=answer.model_dump(mode="json"), requested_by=requested_by, processed_at=uow.clock.now(),
    )


def _spec(instrument: object) -> Spec:
    return Spec(instrument.instrument_type, instrument.jurisdiction, instrument.vintage)  # type: ignore[attr-defined]


async def on_reserve(cmd: ReserveInstruments, uow: RegistryUnitOfWork) -> Event | None:
    async def apply() -> tuple[Event, bool]:
        ranges = await reserve(uow, reservation_id=cmd.request_id, account_number=cmd.account_number,
                               spec=_spec(cmd.instrument), quantity=cmd.quantity, purpose=cmd.purpose,
                               by=cmd.requested_by)
        return InstrumentsReserved(request_id=cmd.request_id, account_number=cmd.account_number,
                                   quantity=cmd.quantity, serials=serial_ranges(ranges)), False

    return await apply_once(
        uow, command_type=cmd.EVENT_TYPE, request_id=cmd.request_id, requested_by=cmd.requested_by, apply=apply,
        refuse=lambda e: ReservationRefused(request_id=cmd.request_id, code=e.code, message=e.message),
    )


async def on_release(cmd: ReleaseReservation, uow: RegistryUnitOfWork) -> Event | None:
    reservation_id = cmd.reservation_id or cmd.request_id

    async def apply() -> tuple[Event, bool]:
        await release(uow, reservation_id=reservation_id, by=cmd.requested_by, reason=cmd.reason)
        return ReservationReleased(request_id=cmd.request_id, reservation_id=reservation_id, reason=cmd.reason), False

    return await apply_once(
        uow, command_type=cmd.EVENT_TYPE, request_id=cmd.request_id, requested_by=cmd.requested_by, apply=apply,
        refuse=lambda e: ReservationRefused(request_id=cmd.request_id, code=e.code, message=e.message),
    )


async def on_execute_move(cmd: ExecuteMove, uow: RegistryUnitOfWork, policy: RegistryPolicy) -> Event | None:
    move = MoveCommand(
        request_id=cmd.request_id, requested_by=cmd.requested_by, source_account=cmd.source_account,
        destination_account=cmd.destination_account, spec=_spec(cmd.instrument), quantity=cmd.quantity,
        reason=cmd.reason, reservation_id=cmd.reservation_id, check_holding_limit=cmd.check_holding_limit,
        reference=cmd.reference,
    )

    async def apply() -> tuple[Event, bool]:
        recorded = await execute_move(uow, policy, move)
        return recorded.answer, True

    return await apply_once(
        uow, command_type=cmd.EVENT_TYPE, request_id=cmd.request_id, requested_by=cmd.requested_by, apply=apply,
        refuse=lambda e: MoveRefused(request_id=cmd.request_id, code=e.code, message=e.message),
    )
