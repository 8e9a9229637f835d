"""Exchange clearing holding accounts (§95921(d)): pass-on within five days, blocks, failure notices."""

from __future__ import annotations

from datetime import datetime

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Actor
from services.transfers.application.common import SYSTEM, describe, eo_of, new_id, notify, notify_parties
from services.transfers.domain.errors import (
    ActionOutOfOrder,
    InvalidInput,
    NotARepresentative,
    NotExecutiveOfficer,
    NotFound,
)
from services.transfers.domain.model import Transfer
from services.transfers.domain.oversight import clearing_failure_notice_due, clearing_pass_on_due
from services.transfers.domain.parties import EXCHANGE_CLEARING
from shared.clock import Clock
from shared.contracts.transfers import ClearingReceiptOverdue, ClearingTransfersBlocked


async def after_clearing_move(uow: TransfersUnitOfWork, t: Transfer, at: datetime) -> None:
    """§95921(d)(2): what a clearing account receives must leave it within five days."""
    if t.destination_account_type == EXCHANGE_CLEARING:
        await uow.oversight.add_receipt({
            "account_number": t.destination_account, "transfer_id": t.id,
            "instrument_type": t.instrument.instrument_type, "instrument_jurisdiction": t.instrument.jurisdiction,
            "vintage": t.instrument.vintage, "quantity": t.quantity, "remaining": t.quantity, "received_at": at,
            "due_at": clearing_pass_on_due(at),
        })
    if t.source_account_type == EXCHANGE_CLEARING:
        await uow.oversight.consume_receipts(t.source_account, t.quantity)


async def clearing_move_failed(uow: TransfersUnitOfWork, t: Transfer, code: str, message: str) -> None:
    """§95921(d)(4): the clearing account could not complete a transfer; its operator notifies within 3 days."""
    if t.source_account_type != EXCHANGE_CLEARING:
        return
    now = uow.clock.now()
    due = clearing_failure_notice_due(now)
    failure_id = new_id("clf")
    await uow.oversight.add_failure({
        "id": failure_id, "transfer_id": t.id, "account_number": t.source_account, "failed_at": now,
        "reason": f"{code}: {message}", "notice_due_at": due,
    })
    operators = await _operators(uow, t.source_account)
    await notify(uow, transfer_id=t.id, kind="clearing.failure_notice_due",
                 recipients=[*operators, eo_of(t.jurisdiction)],
                 message=f"{describe(t)} could not be completed ({code}). The operator of exchange clearing holding "
                         f"account {t.source_account} must notify the circumstances by {due.isoformat()} "
                         f"(§95921(d)(4)); failure {failure_id}")
    await uow.audit("clearing.failure_recorded", failure_id, {"transfer_id": t.id, "code": code}, actor=SYSTEM)


async def _operators(uow: TransfersUnitOfWork, account_number: str) -> list[str]:
    account = await uow.projections.account(account_number)
    return account.actors() if account else []


async def file_failure_notice(failure_id: str, notice: str, *, actor: Actor, uow: TransfersUnitOfWork,
                              clock: Clock) -> dict[str, object]:
    async with uow:
        failure = await uow.oversight.failure(failure_id, for_update=True)
        if failure is None:
            raise NotFound("no such clearing failure", failure_id=failure_id)
        if actor.subject not in await _operators(uow, failure["account_number"]):
            raise NotARepresentative("only a representative of the exchange clearing holding account may file")
        if failure["notice_filed_at"] is not None:
            raise ActionOutOfOrder("the notice was already filed", failure_id=failure_id)
        if not notice.strip():
            raise InvalidInput("the notice must describe the circumstances", field="notice")
        now = clock.now()
        late = now > failure["notice_due_at"]
        await uow.oversight.update_failure(failure_id, notice_filed_by=actor.subject, notice_filed_at=now,
                                           notice=notice)
        t = await uow.transfers.get(failure["transfer_id"])
        jurisdiction = t.jurisdiction if t else "CA"
        await notify(uow, transfer_id=failure["transfer_id"], kind="clearing.failure_notice_filed",
                     recipients=[eo_of(jurisdiction)],
                     message=f"the operator of {failure['account_number']} filed its failure notice for transfer "
                             f"{failure['transfer_id']}{' after the three-day limit' if late else ''} (§95921(d)(4))")
        await uow.audit("clearing.failure_notice_filed", failure_id, {"late": late})
        await uow.commit()
    return {**failure, "notice_filed_by": actor.subject, "notice_filed_at": now, "notice": notice, "late": late}


async def block_receiver(uow: TransfersUnitOfWork, t: Transfer, officer: str, reason: str) -> None:
    """§95921(d)(4): a holding-limit violation caused by a clearing transfer stops the receiver's transfers
    to other entities until the Executive Officer has investigated."""
    if t.destination_entity_id is None:
        return
    now = uow.clock.now()
    block_id = new_id("blk")
    await uow.oversight.add_block({"id": block_id, "entity_id": t.destination_entity_id, "transfer_id": t.id,
                                   "imposed_by": officer, "imposed_at": now, "reason": reason})
    await uow.publish(ClearingTransfersBlocked(entity_id=t.destination_entity_id, transfer_id=t.id, blocked=True,
                                               at=now))
    await notify_parties(uow, t, "clearing.transfers_blocked",
                         f"entity {t.destination_entity_id} may not transfer allowances to other entities until the "
                         "Executive Officer has investigated the holding-limit violation caused by "
                         f"{describe(t)}; transfers to its own compliance account remain possible within its "
                         "limited exemption (§95921(d)(4))", executive_officer=True)
    await uow.audit("clearing.block_imposed", block_id, {"entity_id": t.destination_entity_id, "transfer_id": t.id})


async def lift_block(entity_id: str, determination: str, *, actor: Actor, uow: TransfersUnitOfWork,
                     clock: Clock) -> int:
    async with uow:
        entity = await uow.projections.entity(entity_id)
        if entity is None:
            raise NotFound("no such entity", entity_id=entity_id)
        if not actor.has_role("executive_officer", entity.jurisdiction):
            raise NotExecutiveOfficer(jurisdiction=entity.jurisdiction)
        if not determination.strip():
            raise InvalidInput("state the determined cause of the violation", field="determination")
        blocks = await uow.oversight.active_blocks(entity_id)
        if not blocks:
            raise ActionOutOfOrder("the entity has no active block", entity_id=entity_id)
        now = clock.now()
        for block in blocks:
            await uow.oversight.lift_block(block["id"], lifted_by=actor.subject, lifted_at=now,
                                           determination=determination)
            await uow.publish(ClearingTransfersBlocked(entity_id=entity_id, transfer_id=block["transfer_id"],
                                                       blocked=False, at=now))
            await uow.audit("clearing.block_lifted", block["id"], {"entity_id": entity_id,
                                                                    "determination": determination})
        reps: set[str] = set()
        for account in await uow.projections.accounts_of_entity(entity_id):
            reps.update(account.actors())
        await notify(uow, transfer_id=blocks[0]["transfer_id"], kind="clearing.block_lifted",
                     recipients=[*reps, eo_of(entity.jurisdiction)],
                     message=f"the Executive Officer lifted the §95921(d)(4) block on entity {entity_id}")
        await uow.commit()
    return len(blocks)


async def flag_overdue_receipt(uow: TransfersUnitOfWork, receipt: dict[str, object], now: datetime) -> None:
    """§95921(d)(2): flagged and notified once when instruments stay beyond five days."""
    await uow.oversight.flag_receipt(int(receipt["id"]), now)  # type: ignore[call-overload]
    t = await uow.transfers.get(str(receipt["transfer_id"]))
    jurisdiction = t.jurisdiction if t else "CA"
    account = str(receipt["account_number"])
    await uow.publish(ClearingReceiptOverdue(transfer_id=str(receipt["transfer_id"]), account_number=account,
                                             quantity_remaining=int(receipt["remaining"]),  # type: ignore[call-overload]
                                             due_at=receipt["due_at"]))  # type: ignore[arg-type]
    await notify(uow, transfer_id=str(receipt["transfer_id"]), kind="clearing.receipt_overdue",
                 recipients=[*await _operators(uow, account), eo_of(jurisdiction)],
                 message=f"{receipt['remaining']} instrument(s) received by exchange clearing holding account "
                         f"{account} were not transferred out within five days (§95921(d)(2))")
    await uow.audit("clearing.receipt_overdue", account, {"receipt_id": receipt["id"],
                                                          "remaining": receipt["remaining"]}, actor=SYSTEM)
