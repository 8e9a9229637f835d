"""The Executive Officer's determination (§95921(a)(1)(D)) and the move through the registry."""

from __future__ import annotations

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Determine
from services.transfers.application.common import (
    SYSTEM,
    Policy,
    audit_details,
    describe,
    instrument_spec,
    notify_parties,
)
from services.transfers.application.lifecycle import load_for_update, release_reservation
from services.transfers.domain.errors import InvalidInput, TransferRequestInvalid
from services.transfers.domain.model import Transfer
from services.transfers.domain.parties import check_restrictions, check_route
from shared.clock import Clock
from shared.contracts.registry import ExecuteMove
from shared.contracts.transfers import TransferApproved, TransferDenied


async def precheck(uow: TransfersUnitOfWork, t: Transfer, policy: Policy) -> None:
    """Best effort before approval: accounts still open and linked, no restriction on either entity
    (§95921(g)(3), (g)(4), (d)(4)). The registry re-checks everything, and the holding limit
    (§95920(b)(4)), when it executes the move."""
    source = await uow.projections.account(t.source_account)
    destination = await uow.projections.account(t.destination_account)
    if source is not None and destination is not None:
        problems = [p for p in check_route(source, destination, t.instrument, policy.linkage)
                    if p.code in ("account_not_open", "jurisdictions_not_linked")]
        if problems:
            raise TransferRequestInvalid("the transfer can no longer be executed",
                                         problems=[p.as_dict() for p in problems])
    source_entity = await uow.projections.entity(t.source_entity_id)
    destination_entity = await uow.projections.entity(t.destination_entity_id)
    same = t.source_entity_id is not None and t.source_entity_id == t.destination_entity_id
    check_restrictions(source_entity, destination_entity, same_entity=same,
                       clearing_blocked=await uow.projections.clearing_blocked(t.source_entity_id))


async def execute_move(uow: TransfersUnitOfWork, t: Transfer, requested_by: str) -> None:
    """Ask the registry to move the reserved instruments, checking the holding limit (§95920(b)(4))."""
    assert t.move_request_id is not None
    await uow.publish(ExecuteMove(
        request_id=t.move_request_id, requested_by=requested_by, source_account=t.source_account,
        destination_account=t.destination_account, instrument=instrument_spec(t), quantity=t.quantity,
        reservation_id=t.id, check_holding_limit=True, reason="transfer", reference=t.id,
    ))


async def determine(cmd: Determine, *, uow: TransfersUnitOfWork, clock: Clock, policy: Policy) -> Transfer:
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id, cmd.expected_version)
        authorized = cmd.actor.has_role("executive_officer", t.jurisdiction)
        officer = cmd.actor.subject
        if cmd.approve:
            t.approve(officer, now, reason=cmd.reason, authorized=authorized)  # §95921(a)(1)(D)
            await precheck(uow, t, policy)
            await uow.transfers.save(t)
            await execute_move(uow, t, officer)
            assert t.move_request_id is not None
            await uow.publish(TransferApproved(transfer_id=t.id, approved_by=officer, approved_at=now,
                                               move_request_id=t.move_request_id))
            await notify_parties(uow, t, "transfer.approved",
                                 f"{describe(t)} approved by the Executive Officer; the registry is recording it")
            await uow.audit("transfer.approved", t.id, audit_details(t, reason=cmd.reason))
        else:
            if not (cmd.reason or "").strip():
                raise InvalidInput("a denial needs a reason", field="reason")
            reason = cmd.reason or ""
            t.deny(officer, now, reason=reason, authorized=authorized)
            await uow.transfers.save(t)
            for deficiency in await uow.oversight.deficiencies_of(t.id, status="open"):
                deficiency.status, deficiency.resolved_at, deficiency.resolution = "closed", now, "request denied"
                await uow.oversight.save_deficiency(deficiency)
            await release_reservation(uow, t, "transfer request denied", officer)
            await uow.publish(TransferDenied(transfer_id=t.id, code="denied_by_executive_officer", reason=reason,
                                             denied_by=officer, denied_at=now))
            await notify_parties(uow, t, "transfer.denied",
                                 f"{describe(t)} denied by the Executive Officer: {reason}")
            await uow.audit("transfer.denied", t.id, audit_details(t, reason=reason))
        await uow.commit()
    return t


async def registry_refused_move(uow: TransfersUnitOfWork, t: Transfer, code: str, message: str) -> None:
    """The registry refused the move (e.g. holding_limit_exceeded, §95920(b)(4)): the transfer is denied."""
    now = uow.clock.now()
    t.mark_move_refused(code, message, now)
    await uow.transfers.save(t)
    await release_reservation(uow, t, f"move refused: {code}", SYSTEM)
    await uow.publish(TransferDenied(transfer_id=t.id, code=code, reason=message, denied_by="registry",
                                     denied_at=now))
    await notify_parties(uow, t, "transfer.denied",
                         f"{describe(t)} was not recorded: the registry refused the move ({code}: {message})",
                         executive_officer=True)
    await uow.audit("transfer.move_refused", t.id, audit_details(t, code=code, message=message), actor=SYSTEM)
