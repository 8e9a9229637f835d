"""Issuance, moves by the Executive Officer, retirement and surrender, holding-limit headroom."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from services.registry.adapters.ledger_repository import RecordedMove
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application import ledger
from services.registry.application.access import ACTING_ROLES, is_staff_of, representative_role
from services.registry.application.ledger_commands import log_request
from services.registry.application.limits import headroom
from services.registry.application.queries import movement_record
from services.registry.domain.account_numbers import normalize_account_number
from services.registry.entrypoints.http.deps import machine_or_staff, policy, retrying, spec, uow
from services.registry.entrypoints.http.schemas import HeadroomOut, IssuanceIn, MoveIn, MovementOut, RetirementIn
from shared.auth.dependencies import current_principal, require_step_up
from shared.auth.principal import Principal
from shared.errors import Forbidden, InvalidInput, NotFound

router = APIRouter(prefix="/v1", tags=["ledger"])
step_up = require_step_up()
ISSUERS = ("registrar", "executive_officer")


def _out(move: RecordedMove) -> MovementOut:
    return MovementOut.model_validate({**movement_record(move), "request_id": move.request_id})


async def _replay(u: RegistryUnitOfWork, command_type: str, request_id: str | None) -> MovementOut | None:
    """A repeated HTTP request id returns the first outcome (the same idempotency as the bus)."""
    previous = None if request_id is None else await u.ledger.request(request_id, command_type)
    if previous is None:
        return None
    move = await u.ledger.move(previous.answer["move_id"])
    assert move is not None
    return _out(move)


@router.post("/issuances", status_code=201, response_model=MovementOut)
async def issue(body: IssuanceIn, request: Request, principal: Principal = Depends(step_up)) -> MovementOut:
    """Jurisdiction staff (registrar or Executive Officer of that jurisdiction) issue allowances (with a
    vintage) or offset credits into one of the jurisdiction's accounts (default: its issuance account)."""
    if not any(principal.has_role(r, body.jurisdiction) for r in ISSUERS):
        raise Forbidden("only the jurisdiction's registrar or Executive Officer issues its instruments")

    async def run() -> RecordedMove:
        async with uow(request) as u:
            move = await ledger.issue(u, policy(request), jurisdiction=body.jurisdiction,
                                      instrument_type=body.instrument_type, vintage=body.vintage,
                                      quantity=body.quantity, account_number=body.account_number, by=principal.subject)
            await u.commit()
        return move

    return _out(await retrying(run))


@router.post("/ledger/moves", status_code=201, response_model=MovementOut)
async def move(body: MoveIn, request: Request, principal: Principal = Depends(step_up)) -> MovementOut:
    """A transfer the Executive Officer undertakes out of a jurisdiction account (§95921(a)(2)(A)):
    allocation, auction delivery, reserve sales. Transfers between entities go through the transfers
    service (ledger commands). Idempotent on `request_id`."""
    source = normalize_account_number(body.source_account)
    request_id = body.request_id or "http:" + uuid.uuid4().hex
    return await retrying(lambda: _move(body, request, principal, source, request_id))


async def _move(body: MoveIn, request: Request, principal: Principal, source: str, request_id: str) -> MovementOut:
    async with uow(request) as u:
        if (previous := await _replay(u, "http.move", body.request_id)) is not None:
            return previous
        account = await u.registry.account(source)
        if account is None:
            raise NotFound("no such account", account_number=source)
        if account.owner_kind != "jurisdiction":
            raise InvalidInput("moves out of entity accounts are transfers: use the transfers service")
        if not principal.has_role("executive_officer", account.jurisdiction):
            raise Forbidden("only the Executive Officer of the account's jurisdiction moves its instruments")
        result = await ledger.execute_move(u, policy(request), ledger.MoveCommand(
            request_id=request_id, requested_by=principal.subject, source_account=source,
            destination_account=body.destination_account, spec=spec(body.instrument), quantity=body.quantity,
            reason=body.reason, check_holding_limit=body.check_holding_limit, reference=body.reference,
        ))
        await log_request(u, command_type="http.move", request_id=request_id, requested_by=principal.subject,
                          answer=result.answer)
        await u.commit()
    return _out(result.move)


@router.post("/retirements", status_code=201, response_model=MovementOut)
async def retire(body: RetirementIn, request: Request,
                 principal: Principal = Depends(current_principal)) -> MovementOut:
    """Surrender from a compliance account (the jurisdiction's staff) or voluntary retirement (a primary or
    alternate representative of the account, or staff); instruments go to the retirement account."""
    number = normalize_account_number(body.account_number)
    request_id = body.request_id or "http:" + uuid.uuid4().hex
    return await retrying(lambda: _retire(body, request, principal, number, request_id))


async def _retire(body: RetirementIn, request: Request, principal: Principal, number: str,
                  request_id: str) -> MovementOut:
    async with uow(request) as u:
        if (previous := await _replay(u, "http.retirement", body.request_id)) is not None:
            return previous
        account = await u.registry.account(number)
        if account is None:
            raise NotFound("no such account")
        staff_ok = any(principal.has_role(r, account.jurisdiction)
                       for r in ("executive_officer", "registrar", "accounts_administrator"))
        if not staff_ok:
            role = await representative_role(u, principal, number)
            if role is None:
                raise NotFound("no such account")
            if body.reason == "surrender" or role not in ACTING_ROLES:
                raise Forbidden("you may not retire instruments from this account")
        result = await ledger.retire(u, policy(request), request_id=request_id, account_number=number,
                                     spec=spec(body.instrument), quantity=body.quantity, reason=body.reason,
                                     by=principal.subject)
        await log_request(u, command_type="http.retirement", request_id=request_id,
                          requested_by=principal.subject, answer=result.answer)
        await u.commit()
    return _out(result.move)


@router.get("/ledger/requests/{request_id}", tags=["ledger commands"])
async def ledger_request(request_id: str, request: Request, _: Principal = Depends(machine_or_staff)) -> Any:
    """The outcome of a ledger command, by its request id: the answer that was published for it."""
    async with uow(request) as u:
        rows = await u.ledger.requests(request_id)
    if not rows:
        raise NotFound("no command with that request id was applied", request_id=request_id)
    return {"request_id": request_id, "commands": [
        {"command_type": r.command_type, "outcome": r.outcome, "answer_type": r.answer_type, "answer": r.answer,
         "requested_by": r.requested_by, "processed_at": r.processed_at}
        for r in rows
    ]}


@router.get("/holding-limits/{entity_id}/headroom", response_model=HeadroomOut, tags=["holding limits"])
async def get_headroom(entity_id: str, request: Request, vintage: int | None = Query(default=None, ge=2000, le=2100),
                       principal: Principal = Depends(current_principal)) -> HeadroomOut:
    """§95920: the entity's holding limit (its share of its direct association's, or lowered by the
    Executive Officer), what counts against it, and the room left, for a vintage (default: this year's,
    which also covers earlier vintages). For other services (machine clients), the jurisdiction's staff
    and the entity's own representatives."""
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        if entity is None:
            raise NotFound("no such entity")
        if not (principal.is_machine or is_staff_of(principal, entity.jurisdiction)):
            accounts = await u.registry.accounts_of_entity(entity_id)
            roles = [await representative_role(u, principal, a.number) for a in accounts]
            if not any(roles):
                raise NotFound("no such entity")
        result = await headroom(u, policy(request), entity_id, vintage)
    return HeadroomOut(
        entity_id=entity_id, jurisdiction=entity.jurisdiction,
        vintage=vintage if vintage is not None else result.budget_year, vintage_bucket=result.vintage_bucket,
        budget_year=result.budget_year, annual_budget=result.annual_budget,
        association_limit=result.association_limit, limit=result.limit, counted=result.counted,
        compliance_exempted=result.compliance_exempted, headroom=result.headroom, association=list(result.group),
        shared_jointly=result.shared_jointly,
    )

