"""Effects shared by several use cases: loading for update, releasing a reservation, expiring."""

from __future__ import annotations

from datetime import datetime

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.common import SYSTEM, audit_details, describe, notify_parties
from services.transfers.domain.errors import ConcurrentModification, TransferNotFound
from services.transfers.domain.model import Status, Transfer
from shared.contracts.registry import ReleaseReservation
from shared.contracts.transfers import TransferExpired


async def load_for_update(uow: TransfersUnitOfWork, transfer_id: str, expected_version: int | None = None) -> Transfer:
    """Lock the row (SELECT ... FOR UPDATE): concurrent steps on one transfer run one after the other."""
    transfer = await uow.transfers.get(transfer_id, for_update=True)
    if transfer is None:
        raise TransferNotFound(transfer_id=transfer_id)
    if expected_version is not None and transfer.version != expected_version:
        raise ConcurrentModification(transfer_id=transfer_id, expected_version=expected_version,
                                     current_version=transfer.version)
    return transfer


async def release_reservation(uow: TransfersUnitOfWork, t: Transfer, reason: str, requested_by: str, *,
                              attempt: str = "release") -> None:
    """Ask the registry to free the reserved instruments. The reservation is named by the request id of
    its ReserveInstruments (the transfer id); the release has a request id of its own."""
    await uow.publish(ReleaseReservation(request_id=f"{t.id}:{attempt}", reservation_id=t.id,
                                         requested_by=requested_by, reason=reason))


async def expire(uow: TransfersUnitOfWork, t: Transfer, now: datetime) -> bool:
    """§95921(a)(1)(B)/(C), (i)(1)(D): an unfinished request past its deadline expires; instruments are freed."""
    stage = t.status
    if not t.expire_if_due(now):
        return False
    await uow.transfers.save(t)
    for deficiency in await uow.oversight.deficiencies_of(t.id, status="open"):
        deficiency.status, deficiency.resolved_at, deficiency.resolution = "closed", now, "request expired"
        await uow.oversight.save_deficiency(deficiency)
    await release_reservation(uow, t, "transfer request expired", SYSTEM)
    await uow.publish(TransferExpired(transfer_id=t.id, stage=str(stage), expired_at=now))
    why = {
        Status.RESERVING: "the registry did not reserve the instruments in time",
        Status.PROPOSED: "no second representative of the source entity confirmed within two days "
                         "(§95921(a)(1)(B))",
        Status.AWAITING_ACCEPTANCE: "the destination did not confirm within three days of submission "
                                    "(§95921(a)(1)(C))",
        Status.DEFICIENT: "the deficiency was not corrected within the time limit; withdraw or submit a new "
                          "request (§95921(i)(1)(D))",
    }.get(stage, "its deadline passed")
    await notify_parties(uow, t, "transfer.expired", f"{describe(t)} expired: {why}; the reservation is released",
                         executive_officer=stage is Status.DEFICIENT)
    await uow.audit("transfer.expired", t.id, audit_details(t, stage=str(stage)), actor=SYSTEM)
    return True
