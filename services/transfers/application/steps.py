"""The parties' steps: confirmation (§95921(a)(1)(B)), acceptance ((a)(1)(C)) and withdrawal ((i)(1)(D))."""

from __future__ import annotations

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import TransferStep
from services.transfers.application.common import audit_details, describe, notify_parties
from services.transfers.application.lifecycle import expire, load_for_update, release_reservation
from services.transfers.domain.errors import AcceptanceWindowClosed, ConfirmationWindowClosed
from services.transfers.domain.model import Status, Transfer
from shared.clock import Clock
from shared.contracts.transfers import TransferAccepted, TransferConfirmed, TransferWithdrawn


async def acts_for_source_entity(uow: TransfersUnitOfWork, t: Transfer, individual: str) -> bool:
    """Primary or alternate representative of any account of the source entity ("the same entity")."""
    accounts = await uow.projections.accounts_of_entity(t.source_entity_id)
    own = await uow.projections.account(t.source_account)
    return any(a.can_act(individual) for a in [*accounts, *([own] if own else [])])


async def acts_for_destination(uow: TransfersUnitOfWork, t: Transfer, individual: str) -> bool:
    account = await uow.projections.account(t.destination_account)
    return account is not None and account.can_act(individual)


async def confirm_transfer(cmd: TransferStep, *, uow: TransfersUnitOfWork, clock: Clock) -> Transfer:
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id, cmd.expected_version)
        eligible = await acts_for_source_entity(uow, t, cmd.actor.subject)
        try:
            t.confirm(cmd.actor.subject, now, eligible=eligible)  # §95921(a)(1)(B)
        except ConfirmationWindowClosed:
            if await expire(uow, t, now):
                await uow.commit()
            raise
        await uow.transfers.save(t)
        acceptance = t.status is Status.AWAITING_ACCEPTANCE
        await uow.publish(TransferConfirmed(transfer_id=t.id, confirmed_by=cmd.actor.subject, confirmed_at=now,
                                            next_step="acceptance" if acceptance else "determination"))
        if acceptance:
            message = (f"{describe(t)} confirmed by {cmd.actor.subject}; a representative of the destination "
                       f"account must accept by {t.accept_by.isoformat()} (§95921(a)(1)(C))")
        else:
            message = (f"{describe(t)} confirmed by {cmd.actor.subject}; no acceptance is needed "
                       "(§95921(a)(2), (d)(3)); awaiting the Executive Officer's determination")
        await notify_parties(uow, t, "transfer.confirmed", message, executive_officer=not acceptance)
        await uow.audit("transfer.confirmed", t.id, audit_details(t))
        await uow.commit()
    return t


async def accept_transfer(cmd: TransferStep, *, uow: TransfersUnitOfWork, clock: Clock) -> Transfer:
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id, cmd.expected_version)
        eligible = await acts_for_destination(uow, t, cmd.actor.subject)
        try:
            t.accept(cmd.actor.subject, now, eligible=eligible)  # §95921(a)(1)(C)
        except AcceptanceWindowClosed:
            if await expire(uow, t, now):
                await uow.commit()
            raise
        await uow.transfers.save(t)
        await uow.publish(TransferAccepted(transfer_id=t.id, accepted_by=cmd.actor.subject, accepted_at=now))
        await notify_parties(uow, t, "transfer.accepted",
                             f"{describe(t)} accepted by {cmd.actor.subject}; awaiting the Executive Officer's "
                             "determination (§95921(a)(1)(D))", executive_officer=True)
        await uow.audit("transfer.accepted", t.id, audit_details(t))
        await uow.commit()
    return t


async def withdraw_transfer(cmd: TransferStep, *, uow: TransfersUnitOfWork, clock: Clock) -> Transfer:
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id, cmd.expected_version)
        eligible = await acts_for_source_entity(uow, t, cmd.actor.subject)
        t.withdraw(cmd.actor.subject, now, eligible=eligible)  # §95921(i)(1)(D)
        await uow.transfers.save(t)
        for deficiency in await uow.oversight.deficiencies_of(t.id, status="open"):
            deficiency.status, deficiency.resolved_at, deficiency.resolution = "closed", now, "request withdrawn"
            await uow.oversight.save_deficiency(deficiency)
        await release_reservation(uow, t, "transfer request withdrawn", cmd.actor.subject)
        await uow.publish(TransferWithdrawn(transfer_id=t.id, withdrawn_by=cmd.actor.subject, withdrawn_at=now))
        await notify_parties(uow, t, "transfer.withdrawn",
                             f"{describe(t)} withdrawn by {cmd.actor.subject}; the reservation is released")
        await uow.audit("transfer.withdrawn", t.id, audit_details(t))
        await uow.commit()
    return t
