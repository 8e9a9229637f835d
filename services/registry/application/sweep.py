"""§95921(g)(3)(B): after the 30-day window, what a suspended or revoked entity still holds in its
holding account moves to the auction holding account, for sale at auction on its behalf.

Driven by the injectable clock: a background task runs it periodically, and operations can run it
at once (POST /v1/ops/revocation-sweep).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import jurisdiction_account_number
from services.registry.application.entities import get_entity
from services.registry.application.ledger import report_movement, serial_ranges
from services.registry.domain.accounts import AccountType
from services.registry.domain.ledger import Block, merge_ranges
from shared.contracts.registry import MoveRecorded, ReservationReleased

log = logging.getLogger(__name__)
REASON = "revocation_consignment"


async def consign_remainder(uow: RegistryUnitOfWork, entity_id: str) -> dict[str, Any]:
    entity = await get_entity(uow, entity_id)
    now = uow.clock.now()
    holding = next((a.number for a in await uow.registry.accounts_of_entity(entity_id)
                    if a.account_type == AccountType.HOLDING.value), None)
    summary: dict[str, Any] = {"entity_id": entity_id, "quantity": 0, "move_id": None}
    if holding is not None:
        auction = await jurisdiction_account_number(uow, entity.jurisdiction, AccountType.AUCTION_HOLDING)
        await uow.registry.lock_accounts([holding, auction])
        for reservation_id in await uow.ledger.active_reservations(holding):
            await uow.ledger.close_reservation(reservation_id, "released", now)
            await uow.publish(ReservationReleased(request_id=reservation_id, reservation_id=reservation_id,
                                                  reason=REASON))
        taken = await uow.ledger.detach_all(holding)
        for block in taken:
            await uow.ledger.place(Block(auction, block.instrument_type, block.jurisdiction, block.vintage,
                                         block.first, block.last, None))
        if taken:
            request_id = f"registry:consignment:{entity_id}"
            move = await uow.ledger.record(
                kind="move", source=holding, destination=auction, ranges=merge_ranges(b.range() for b in taken),
                reason=REASON, request_id=request_id, reference=entity_id, by="registry", at=now,
            )
            await uow.publish(MoveRecorded(
                request_id=request_id, move_id=move.move_id, source_account=holding, destination_account=auction,
                quantity=move.quantity, serials=serial_ranges(move.ranges), reason=REASON, reference=entity_id,
                recorded_at=now,
            ))
            await report_movement(uow, move)
            summary.update(quantity=move.quantity, move_id=move.move_id, auction_holding_account=auction)
    await uow.registry.update_entity(entity_id, remainder_consigned_at=now)
    await uow.audit("entity.remainder_consigned", entity_id, summary)
    return summary


async def run_sweep(uow_factory: Callable[[], RegistryUnitOfWork], *, batch: int = 50) -> list[dict[str, Any]]:
    """Consign the remainder of every entity whose window closed; returns what moved."""
    done: list[dict[str, Any]] = []
    while True:
        async with uow_factory() as uow:
            due = await uow.registry.due_for_sweep(uow.clock.now(), batch)
            for entity_id in due:
                done.append(await consign_remainder(uow, entity_id))
            await uow.commit()
        if len(due) < batch:
            return done


async def sweep_forever(uow_factory: Callable[[], RegistryUnitOfWork], interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            moved = await run_sweep(uow_factory)
            if moved:
                log.info("revocation sweep consigned the remainder of %d entities", len(moved))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("revocation sweep failed")
