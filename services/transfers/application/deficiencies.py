"""Transfer request deficiencies (§95921(i)): found before recording, or after, and reversal."""

from __future__ import annotations

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.clearing import block_receiver
from services.transfers.application.commands import (
    CorrectDeficiency,
    ReportDeficiency,
    ResubmitTransfer,
    ReverseTransfer,
)
from services.transfers.application.common import (
    Policy,
    audit_details,
    describe,
    eo_of,
    instrument_spec,
    new_id,
    notify,
    notify_parties,
    party_recipients,
)
from services.transfers.application.lifecycle import expire, load_for_update
from services.transfers.application.steps import acts_for_destination, acts_for_source_entity
from services.transfers.domain.errors import (
    ActionOutOfOrder,
    CorrectionWindowClosed,
    Forbidden,
    InvalidInput,
    NotARepresentative,
    NotExecutiveOfficer,
    NotFound,
    TransferRequestInvalid,
)
from services.transfers.domain.model import Status, Transfer
from services.transfers.domain.oversight import (
    AFTER_RECORDING,
    BEFORE_RECORDING,
    KINDS,
    RESPONSIBLE,
    Deficiency,
    post_recording_correct_by,
)
from services.transfers.domain.parties import EXCHANGE_CLEARING, party_facts
from services.transfers.domain.terms import Terms, check_terms
from shared.clock import Clock
from shared.contracts.registry import ExecuteMove
from shared.contracts.transfers import DeficiencyCorrected, DeficiencyFound

DETECTING_ROLES = ("accounts_administrator", "executive_officer")  # §95921(i): the accounts administrator


async def report_deficiency(cmd: ReportDeficiency, *, uow: TransfersUnitOfWork, clock: Clock,
                            policy: Policy) -> Deficiency:
    if cmd.kind not in KINDS or cmd.responsible not in RESPONSIBLE or not cmd.problem.strip():
        raise InvalidInput("kind, responsible and problem are required", kinds=list(KINDS),
                           responsible=list(RESPONSIBLE))
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id)
        if not cmd.actor.is_staff_of(t.jurisdiction, *DETECTING_ROLES):
            raise Forbidden("only the accounts administrator or the Executive Officer records deficiencies")
        if t.status is Status.RECORDED:
            stage, correct_by = AFTER_RECORDING, post_recording_correct_by(now, policy.calendar(t.jurisdiction))
        else:
            t.mark_deficient(now)  # §95921(i)(1): raises unless the request is still open
            stage, correct_by = BEFORE_RECORDING, t.correct_by
            await uow.transfers.save(t)
        d = Deficiency(id=new_id("dfc"), transfer_id=t.id, stage=stage, kind=cmd.kind, responsible=cmd.responsible,
                       problem=cmd.problem, fields=list(cmd.fields), found_by=cmd.actor.subject, found_at=now,
                       correct_by=correct_by)
        await uow.oversight.add_deficiency(d)
        await uow.publish(DeficiencyFound(transfer_id=t.id, deficiency_id=d.id, stage=stage,  # type: ignore[arg-type]
                                          kind=d.kind, responsible=d.responsible,  # type: ignore[arg-type]
                                          correct_by=correct_by, found_at=now))
        await _tell_about_deficiency(uow, t, d)
        if stage == AFTER_RECORDING and d.kind == "holding_limit" and t.source_account_type == EXCHANGE_CLEARING:
            await block_receiver(uow, t, cmd.actor.subject, d.problem)  # §95921(d)(4)
        await uow.audit("transfer.deficiency_found", t.id, audit_details(
            t, deficiency_id=d.id, stage=stage, kind=d.kind, responsible=d.responsible, problem=d.problem))
        await uow.commit()
    return d


async def _tell_about_deficiency(uow: TransfersUnitOfWork, t: Transfer, d: Deficiency) -> None:
    fields = f" (fields: {', '.join(d.fields)})" if d.fields else ""
    # §95921(i)(1)(A), (i)(2)(A): the submitting entities and the Executive Officer are informed
    when = "before" if d.stage == BEFORE_RECORDING else "after"
    await notify_parties(uow, t, "transfer.deficient",
                         f"{describe(t)} is deficient (found {when} recording); correct it by "
                         f"{d.correct_by.isoformat()}", executive_officer=True)
    # §95921(i)(1)(B), (i)(2)(B): the responsible party is told the specific problem
    specific = f"deficiency {d.id} of {describe(t)}: {d.problem}{fields}"
    if d.stage == BEFORE_RECORDING:
        responsible = await party_recipients(uow, t, sides=(d.responsible,))
        await notify(uow, transfer_id=t.id, kind="transfer.deficiency_detail", recipients=responsible,
                     message=f"{specific}. Resubmit the corrected request by {d.correct_by.isoformat()}, otherwise "
                             "withdraw it or submit a new one (§95921(i)(1)(C)-(D))")
        return
    recipients: list[str] = []
    if d.responsible == "source":
        recipients.append(t.submitted_by)  # §95921(i)(2)(B): the submitting representative
    if d.kind == "holding_limit":
        # §95921(i)(2)(C): the primary representative of the destination account
        recipients += await party_recipients(uow, t, sides=("destination",), primary_only=True)
    if d.responsible == "destination" and d.kind != "holding_limit":
        recipients += await party_recipients(uow, t, sides=("destination",))
    await notify(uow, transfer_id=t.id, kind="transfer.deficiency_detail", recipients=recipients,
                 message=f"{specific}. Correct it within five business days, by {d.correct_by.isoformat()}, or the "
                         "Executive Officer may reverse the transfer (§95921(i)(2)(D))")


async def resubmit_transfer(cmd: ResubmitTransfer, *, uow: TransfersUnitOfWork, clock: Clock,
                            policy: Policy) -> Transfer:
    """§95921(i)(1)(C): the corrected request, within the time limit."""
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id)
        eligible = await acts_for_source_entity(uow, t, cmd.actor.subject)
        try:
            t.resubmit(cmd.actor.subject, now, cmd.terms.normalized(), eligible=eligible)
        except CorrectionWindowClosed:
            if await expire(uow, t, now):  # §95921(i)(1)(D)
                await uow.commit()
            raise
        await _checked_terms(uow, t, cmd.terms, policy)  # a problem rolls the resubmission back
        await uow.transfers.save(t)
        for d in await uow.oversight.deficiencies_of(t.id, status="open"):
            d.correct(cmd.actor.subject, now, "corrected request resubmitted")
            await uow.oversight.save_deficiency(d)
            await uow.publish(DeficiencyCorrected(transfer_id=t.id, deficiency_id=d.id, corrected_by=cmd.actor.subject,
                                                  corrected_at=now))
        await notify_parties(uow, t, "transfer.resubmitted",
                             f"{describe(t)} was resubmitted with the deficiency corrected by {cmd.actor.subject}; "
                             f"it is {t.status} again", executive_officer=True)
        await uow.audit("transfer.resubmitted", t.id, audit_details(t))
        await uow.commit()
    return t


async def _checked_terms(uow: TransfersUnitOfWork, t: Transfer, terms: Terms, policy: Policy) -> Terms:
    source = await uow.projections.account(t.source_account)
    destination = await uow.projections.account(t.destination_account)
    if source is None or destination is None:
        raise ActionOutOfOrder("the accounts of this transfer are no longer known")
    facts = party_facts(source, destination, await uow.projections.entity(t.source_entity_id),
                        await uow.projections.entity(t.destination_entity_id))
    normalized = terms.normalized()
    problems = check_terms(normalized, facts, policy.local_date(source.jurisdiction, t.submitted_at))
    if problems:
        raise TransferRequestInvalid(f"the corrected request has {len(problems)} problem(s)",
                                     problems=[p.as_dict() for p in problems])
    return normalized


async def correct_deficiency(cmd: CorrectDeficiency, *, uow: TransfersUnitOfWork, clock: Clock,
                             policy: Policy) -> Deficiency:
    """§95921(i)(2)(D): a deficiency found after recording, corrected within five business days."""
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        d = await uow.oversight.deficiency(cmd.deficiency_id, for_update=True)
        if d is None:
            raise NotFound("no such deficiency", deficiency_id=cmd.deficiency_id)
        if d.stage != AFTER_RECORDING:
            raise ActionOutOfOrder("a deficiency found before recording is corrected by resubmitting the request")
        t = await load_for_update(uow, d.transfer_id)
        if d.responsible == "source":
            eligible = await acts_for_source_entity(uow, t, cmd.actor.subject)
        else:
            eligible = await acts_for_destination(uow, t, cmd.actor.subject)
        if not eligible:
            raise NotARepresentative(f"only a representative of the {d.responsible} may correct this deficiency")
        if now >= d.correct_by:
            raise CorrectionWindowClosed(correct_by=d.correct_by.isoformat())
        if cmd.terms is not None:
            t.terms = await _checked_terms(uow, t, cmd.terms, policy)
            await uow.transfers.save(t)
        d.correct(cmd.actor.subject, now, cmd.note)
        await uow.oversight.save_deficiency(d)
        await uow.publish(DeficiencyCorrected(transfer_id=t.id, deficiency_id=d.id, corrected_by=cmd.actor.subject,
                                              corrected_at=now))
        await notify_parties(uow, t, "transfer.deficiency_corrected",
                             f"deficiency {d.id} of {describe(t)} was corrected by {cmd.actor.subject}: {cmd.note}",
                             executive_officer=True)
        await uow.audit("transfer.deficiency_corrected", t.id, audit_details(
            t, deficiency_id=d.id, note=cmd.note, terms_changed=cmd.terms is not None))
        await uow.commit()
    return d


async def reverse_transfer(cmd: ReverseTransfer, *, uow: TransfersUnitOfWork, clock: Clock) -> Transfer:
    """§95921(i)(2)(D): not corrected within five business days: the Executive Officer may reverse."""
    async with uow:
        await uow.lock_for_writing()
        now = clock.now()
        t = await load_for_update(uow, cmd.transfer_id)
        if not cmd.actor.has_role("executive_officer", t.jurisdiction):
            raise NotExecutiveOfficer(jurisdiction=t.jurisdiction)
        d = await uow.oversight.deficiency(cmd.deficiency_id, for_update=True)
        if d is None or d.transfer_id != t.id:
            raise NotFound("no such deficiency on this transfer", deficiency_id=cmd.deficiency_id)
        d.check_reversal_allowed(now)
        t.start_reversal(cmd.actor.subject, now, authorized=True)
        await uow.transfers.save(t)
        assert t.reversal_request_id is not None
        await uow.publish(ExecuteMove(
            request_id=t.reversal_request_id, requested_by=cmd.actor.subject, source_account=t.destination_account,
            destination_account=t.source_account, instrument=instrument_spec(t), quantity=t.quantity,
            reservation_id=None, check_holding_limit=False, reason="reversal", reference=t.id,
        ))
        await notify(uow, transfer_id=t.id, kind="transfer.reversing",
                     recipients=[*await party_recipients(uow, t), eo_of(t.jurisdiction)],
                     message=f"the Executive Officer instructed the reversal of {describe(t)}: {cmd.reason} "
                             "(§95921(i)(2)(D))")
        await uow.audit("transfer.reversal_instructed", t.id, audit_details(
            t, deficiency_id=d.id, reason=cmd.reason))
        await uow.commit()
    return t
