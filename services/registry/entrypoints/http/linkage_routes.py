"""The linkage feed over HTTP, and inbound transfers from a linked registry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from services.registry.adapters.ledger_repository import RecordedMove
from services.registry.application import ledger
from services.registry.application.access import OVERSIGHT_ROLES
from services.registry.application.queries import movement_record
from services.registry.domain.ledger import Range
from services.registry.entrypoints.http.deps import policy, retrying, uow
from services.registry.entrypoints.http.schemas import FeedPage, InboundTransferIn, MovementOut
from shared.auth.dependencies import require_role
from shared.auth.principal import Principal
from shared.errors import Forbidden

router = APIRouter(prefix="/v1/linkage", tags=["linkage"])
feed_reader = require_role("machine", *OVERSIGHT_ROLES)


@router.get("/feed", response_model=FeedPage)
async def feed(request: Request, after: int = Query(default=0, ge=0), limit: int = Query(default=100, ge=1),
               _: Principal = Depends(feed_reader)) -> FeedPage:
    """Every issuance, move, retirement and inbound transfer with its serial ranges, in journal order.

    Cursor-paged: pass the `next_cursor` of one page as `after` of the next. Sequences are gap-free and
    assigned in commit order, so a reader never skips a record that commits later. The same records
    are published on linkage.feed.v1 (LedgerMovementReported)."""
    limit = min(limit, policy(request).feed_page_max)
    async with uow(request) as u:
        moves = await u.ledger.moves_after(after, limit)
    records = [MovementOut.model_validate({**movement_record(m), "request_id": m.request_id}) for m in moves]
    return FeedPage(records=records, next_cursor=moves[-1].seq if moves else after)


@router.post("/inbound-transfers", status_code=201, response_model=MovementOut)
async def inbound(body: InboundTransferIn, request: Request,
                  principal: Principal = Depends(require_role("machine"))) -> MovementOut:
    """Instruments a linked registry transfers in: accepted only from that registry's registered machine
    client, only of its own jurisdiction's instruments, into an account of a jurisdiction it is linked
    with. Idempotent per external_transfer_id."""
    linked = policy(request).linked_registry_for((principal.client_id, principal.subject))
    if linked is None:
        raise Forbidden("this client is not a registered linked registry")
    ranges = [Range(s.instrument_type, s.jurisdiction, s.vintage, s.first_serial, s.last_serial) for s in body.serials]

    async def run() -> RecordedMove:
        async with uow(request) as u:
            move = await ledger.receive_inbound(
                u, policy(request), linked, external_transfer_id=body.external_transfer_id,
                destination_account=body.destination_account, ranges=ranges, by=principal.subject,
            )
            await u.commit()
        return move

    move = await retrying(run)
    return MovementOut.model_validate({**movement_record(move), "request_id": move.request_id})
