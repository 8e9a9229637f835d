"""The deadline sweep: what happens by itself when time passes (run every second, and on demand).

- unfinished requests past their deadline expire and their reservation is released (§95921(a)(1)(B)/(C),
  (i)(1)(D));
- deficiencies found after recording and not corrected within five business days lapse: the Executive
  Officer may now reverse (§95921(i)(2)(D));
- documentation not uploaded in time (§95921(c), (h)(1)), instruments left in an exchange clearing
  holding account beyond five days (§95921(d)(2)) and missing failure notices (§95921(d)(4)) are
  flagged and notified once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.clearing import flag_overdue_receipt
from services.transfers.application.common import SYSTEM, Policy, describe, eo_of, notify, notify_parties
from services.transfers.application.lifecycle import expire
from shared.clock import Clock


@dataclass
class SweepReport:
    expired: list[str] = field(default_factory=list)
    deficiencies_lapsed: list[str] = field(default_factory=list)
    documentation_overdue: list[str] = field(default_factory=list)
    clearing_receipts_overdue: int = 0
    failure_notices_overdue: list[str] = field(default_factory=list)


async def sweep(uow_factory: Callable[[], TransfersUnitOfWork], clock: Clock, policy: Policy) -> SweepReport:
    report = SweepReport()
    now = clock.now()
    async with uow_factory() as uow:
        due = await uow.transfers.due_for_expiry(now)
    for transfer_id in due:  # one transaction per transfer: one failure does not hold up the others
        async with uow_factory() as uow:
            await uow.lock_for_writing()
            t = await uow.transfers.get(transfer_id, for_update=True)
            if t is not None and await expire(uow, t, now):
                await uow.commit()
                report.expired.append(transfer_id)
    async with uow_factory() as uow:
        await uow.lock_for_writing()
        await _lapse_deficiencies(uow, now, report)
        await _overdue_documentation(uow, now, report)
        for receipt in await uow.oversight.overdue_receipts(now):
            await flag_overdue_receipt(uow, receipt, now)
            report.clearing_receipts_overdue += 1
        await _overdue_failure_notices(uow, now, report)
        await uow.commit()
    return report


async def _lapse_deficiencies(uow: TransfersUnitOfWork, now: datetime, report: SweepReport) -> None:
    for d in await uow.oversight.lapsing_deficiencies(now):
        d.status = "lapsed"
        await uow.oversight.save_deficiency(d)
        t = await uow.transfers.get(d.transfer_id)
        if t is not None:
            await notify_parties(uow, t, "transfer.deficiency_lapsed",
                                 f"deficiency {d.id} of {describe(t)} was not corrected within five business days; "
                                 "the Executive Officer may reverse the transfer (§95921(i)(2)(D))",
                                 executive_officer=True)
        await uow.audit("transfer.deficiency_lapsed", d.transfer_id, {"deficiency_id": d.id}, actor=SYSTEM)
        report.deficiencies_lapsed.append(d.id)


async def _overdue_documentation(uow: TransfersUnitOfWork, now: datetime, report: SweepReport) -> None:
    for request in await uow.oversight.overdue_documentation(now):
        await uow.oversight.set_documentation_status(request["id"], overdue_flagged_at=now)
        t = await uow.transfers.get(request["transfer_id"])
        account = await uow.projections.account(request["account_number"])
        recipients = [*(account.actors() if account else []), eo_of(t.jurisdiction if t else "CA")]
        await notify(uow, transfer_id=request["transfer_id"], kind="documentation.overdue", recipients=recipients,
                     message=f"documentation request {request['id']} was not answered by "
                             f"{request['due_at'].isoformat()} (§95921(c))")
        await uow.audit("documentation.overdue", request["id"], {"transfer_id": request["transfer_id"]},
                        actor=SYSTEM)
        report.documentation_overdue.append(request["id"])


async def _overdue_failure_notices(uow: TransfersUnitOfWork, now: datetime, report: SweepReport) -> None:
    for failure in await uow.oversight.overdue_failure_notices(now):
        await uow.oversight.update_failure(failure["id"], overdue_flagged_at=now)
        t = await uow.transfers.get(failure["transfer_id"])
        await notify(uow, transfer_id=failure["transfer_id"], kind="clearing.failure_notice_overdue",
                     recipients=[eo_of(t.jurisdiction if t else "CA")],
                     message=f"the operator of {failure['account_number']} did not notify the failure of transfer "
                             f"{failure['transfer_id']} within three calendar days (§95921(d)(4))")
        await uow.audit("clearing.failure_notice_overdue", failure["id"], {}, actor=SYSTEM)
        report.failure_notices_overdue.append(failure["id"])
