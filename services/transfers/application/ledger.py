"""What the registry tells us: account and entity state (projections) and answers to ledger commands.

Handlers run inside the consumer's unit of work (the inbox row and the effect commit together):
they never commit. An answer for a request we do not know is ignored.
"""

from __future__ import annotations

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.clearing import after_clearing_move, clearing_move_failed
from services.transfers.application.common import (
    SYSTEM,
    Policy,
    audit_details,
    describe,
    instrument_spec,
    notify_parties,
)
from services.transfers.application.determination import execute_move, registry_refused_move
from services.transfers.application.lifecycle import release_reservation
from services.transfers.domain.model import FINAL_WITHOUT_MOVE, OPEN, Status, Transfer
from shared.contracts.registry import (
    AccountChanged,
    EntityChanged,
    InstrumentsReserved,
    MoveRecorded,
    MoveRefused,
    ReservationRefused,
    ReservationReleased,
)
from shared.contracts.transfers import TransferProposed, TransferRecorded, TransferRefused, TransferReversed
from shared.messaging.envelope import Envelope


async def account_changed(event: AccountChanged, envelope: Envelope, uow: TransfersUnitOfWork) -> None:
    await uow.projections.upsert_account({
        "account_number": event.account_number, "account_type": event.account_type,
        "owner_kind": event.owner_kind, "entity_id": event.entity_id, "jurisdiction": event.jurisdiction,
        "status": event.status, "representatives": [r.model_dump() for r in event.representatives],
        "as_of": envelope.occurred_at,
    })
    await uow.audit("projection.account_changed", event.account_number, {
        "status": event.status, "representatives": len(event.representatives), "event_id": str(envelope.event_id)})


async def entity_changed(event: EntityChanged, envelope: Envelope, uow: TransfersUnitOfWork) -> None:
    await uow.projections.upsert_entity({
        "entity_id": event.entity_id, "legal_name": event.legal_name, "entity_type": event.entity_type,
        "jurisdiction": event.jurisdiction, "status": event.status,
        "direct_associates": sorted(event.direct_associates), "transfers_restricted": event.transfers_restricted,
        "as_of": envelope.occurred_at,
    })
    await uow.audit("projection.entity_changed", event.entity_id, {
        "status": event.status, "transfers_restricted": event.transfers_restricted,
        "event_id": str(envelope.event_id)})


async def instruments_reserved(event: InstrumentsReserved, uow: TransfersUnitOfWork) -> None:
    t = await uow.transfers.get(event.request_id, for_update=True)
    if t is None:
        return
    if t.status in FINAL_WITHOUT_MOVE:
        # expired or withdrawn before the registry answered: free the late reservation again
        await release_reservation(uow, t, f"reservation arrived after the request was {t.status}", SYSTEM,
                                  attempt="release-late")
        await uow.audit("transfer.late_reservation_released", t.id, audit_details(t), actor=SYSTEM)
        return
    if t.status is not Status.RESERVING:
        return  # a duplicate answer
    now = uow.clock.now()
    execute_now = t.mark_reserved(now)
    await uow.transfers.save(t)
    await uow.audit("transfer.reserved", t.id, audit_details(
        t, serials=[s.model_dump() for s in event.serials]), actor=SYSTEM)
    if execute_now:  # the Executive Officer's own transfer goes straight to the registry
        await execute_move(uow, t, t.submitted_by)
        await notify_parties(uow, t, "transfer.reserved", f"{describe(t)}: instruments reserved; recording")
        return
    await uow.publish(TransferProposed(transfer_id=t.id, proposed_at=now))
    await notify_parties(uow, t, "transfer.proposed",
                         f"{describe(t)}: instruments reserved. A different representative of the source entity "
                         f"must confirm by {t.confirm_by.isoformat()} (§95921(a)(1)(B))")


async def reservation_refused(event: ReservationRefused, uow: TransfersUnitOfWork) -> None:
    t = await uow.transfers.get(event.request_id, for_update=True)
    if t is None or t.status is not Status.RESERVING:
        return
    now = uow.clock.now()
    t.mark_refused(event.code, event.message, now)
    await uow.transfers.save(t)
    await uow.publish(TransferRefused(transfer_id=t.id, code=event.code, message=event.message, refused_at=now))
    await notify_parties(uow, t, "transfer.refused",
                         f"{describe(t)} refused by the registry: {event.code}: {event.message}")
    await uow.audit("transfer.refused", t.id, audit_details(t, code=event.code, message=event.message),
                    actor=SYSTEM)


async def reservation_released(event: ReservationReleased, uow: TransfersUnitOfWork) -> None:
    """Usually the answer to our own release. When the registry releases an open request's reservation
    by itself (e.g. the §95921(g)(3)(B) consignment of a revoked entity's holdings), the request can no
    longer be executed: it ends as refused."""
    t = await uow.transfers.get(event.reservation_id or event.request_id, for_update=True)
    if t is None:
        return
    await uow.audit("transfer.reservation_released", t.id, {"reason": event.reason}, actor=SYSTEM)
    if t.status not in OPEN or t.status is Status.RESERVING:
        return
    now = uow.clock.now()
    reason = event.reason or "released by the registry"
    t.mark_reservation_lost(reason, now)
    await uow.transfers.save(t)
    await uow.publish(TransferRefused(transfer_id=t.id, code="reservation_released", message=reason, refused_at=now))
    await notify_parties(uow, t, "transfer.refused",
                         f"{describe(t)} can no longer be executed: the registry released its reserved "
                         f"instruments ({reason})", executive_officer=True)
    await uow.audit("transfer.refused", t.id, audit_details(t, code="reservation_released", message=reason),
                    actor=SYSTEM)


async def move_recorded(event: MoveRecorded, uow: TransfersUnitOfWork, policy: Policy) -> None:
    t = await uow.transfers.by_ledger_request(event.request_id)
    if t is None:
        return
    if event.request_id == t.reversal_request_id and t.status is Status.REVERSING:
        await _reversal_recorded(event, uow, t)
        return
    if event.request_id != t.move_request_id or t.status is not Status.RECORDING:
        return
    flags = t.mark_recorded(event.move_id, event.recorded_at,
                            completed_on=policy.local_date(t.jurisdiction, event.recorded_at))
    await uow.transfers.save(t)
    await uow.publish(TransferRecorded(
        transfer_id=t.id, move_id=event.move_id, source_account=t.source_account,
        destination_account=t.destination_account, instrument=instrument_spec(t), quantity=t.quantity,
        recorded_at=event.recorded_at, flags=flags,
    ))
    await after_clearing_move(uow, t, event.recorded_at)
    message = f"{describe(t)} recorded by the registry (move {event.move_id})"
    if flags:
        message += f"; flagged under §95921(a)(3): {', '.join(flags)}"
    await notify_parties(uow, t, "transfer.recorded", message, executive_officer=bool(flags))
    await uow.audit("transfer.recorded", t.id, audit_details(t, move_id=event.move_id, flags=flags), actor=SYSTEM)


async def _reversal_recorded(event: MoveRecorded, uow: TransfersUnitOfWork, t: Transfer) -> None:
    t.mark_reversed(event.move_id, event.recorded_at)
    await uow.transfers.save(t)
    for deficiency in await uow.oversight.deficiencies_of(t.id):
        if deficiency.stage == "after_recording" and deficiency.status in ("open", "lapsed"):
            deficiency.status, deficiency.resolved_at = "reversed", event.recorded_at
            deficiency.resolution = f"reversed by move {event.move_id}"
            await uow.oversight.save_deficiency(deficiency)
    await uow.publish(TransferReversed(transfer_id=t.id, move_id=event.move_id, reversed_at=event.recorded_at))
    await notify_parties(uow, t, "transfer.reversed",
                         f"{describe(t)} was reversed on the Executive Officer's instruction (§95921(i)(2)(D))",
                         executive_officer=True)
    await uow.audit("transfer.reversed", t.id, audit_details(t, move_id=event.move_id), actor=SYSTEM)


async def move_refused(event: MoveRefused, uow: TransfersUnitOfWork) -> None:
    t = await uow.transfers.by_ledger_request(event.request_id)
    if t is None:
        return
    if event.request_id == t.reversal_request_id and t.status is Status.REVERSING:
        t.mark_reversal_refused(event.code, event.message)
        await uow.transfers.save(t)
        await notify_parties(uow, t, "transfer.reversal_refused",
                             f"the reversal of {describe(t)} was refused by the registry: {event.code}",
                             executive_officer=True)
        await uow.audit("transfer.reversal_refused", t.id, audit_details(t, code=event.code), actor=SYSTEM)
        return
    if event.request_id != t.move_request_id or t.status is not Status.RECORDING:
        return
    await registry_refused_move(uow, t, event.code, event.message)
    await clearing_move_failed(uow, t, event.code, event.message)
