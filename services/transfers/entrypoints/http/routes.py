"""The transfer workflow over HTTP: submit, confirm, accept, determine, withdraw, read.

Every step that changes a transfer needs a fresh second factor (step-up, at most 300 s old).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from services.transfers.application import determination, queries, steps, submit
from services.transfers.application.commands import Determine, SubmitTransfer, TransferStep, UndertakeTransfer
from services.transfers.entrypoints.http import routes_ops, routes_oversight, routes_public
from services.transfers.entrypoints.http.deps import actor_of, clock_of, policy_of, step_up, uow_of
from services.transfers.entrypoints.http.schemas import DeterminationIn, StepIn, SubmitIn, TransferOut, UndertakeIn
from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal

router = APIRouter(prefix="/v1")
transfers = APIRouter(tags=["transfers"])
_step_up = step_up


@transfers.post("/transfers", status_code=201, response_model=TransferOut,
                summary="Submit a transfer request (§95921(a)(1)(A), (b)); reserves the instruments")
async def submit_transfer(body: SubmitIn, request: Request, principal: Principal = Depends(_step_up)) -> Any:
    cmd = SubmitTransfer(
        actor=actor_of(principal), source_account=body.source_account, destination_account=body.destination_account,
        instrument=body.instrument.to_domain(""), quantity=body.quantity, terms=body.transaction.to_domain(),
        second_representative=body.second_representative,
    )
    t = await submit.submit_transfer(cmd, uow=uow_of(request), clock=clock_of(request), policy=policy_of(request))
    return queries.transfer_view(t, [])


@transfers.post("/transfers/executive", status_code=201, response_model=TransferOut,
                summary="A transfer the Executive Officer undertakes (§95921(a)(1), (a)(2)(A))")
async def undertake_transfer(body: UndertakeIn, request: Request, principal: Principal = Depends(_step_up)) -> Any:
    cmd = UndertakeTransfer(
        actor=actor_of(principal), source_account=body.source_account, destination_account=body.destination_account,
        instrument=body.instrument.to_domain(""), quantity=body.quantity, reason=body.reason,
    )
    t = await submit.undertake_transfer(cmd, uow=uow_of(request), clock=clock_of(request), policy=policy_of(request))
    return queries.transfer_view(t, [])


@transfers.get("/transfers", response_model=list[TransferOut], summary="Transfers you may see")
async def list_transfers(
    request: Request,
    principal: Principal = Depends(current_principal),
    status: str | None = Query(None, max_length=32),
    account: str | None = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    return await queries.list_transfers(actor=actor_of(principal), uow=uow_of(request), status=status,
                                        account=account, limit=limit)


@transfers.get("/transfers/{transfer_id}", response_model=TransferOut)
async def get_transfer(transfer_id: str, request: Request, principal: Principal = Depends(current_principal)) -> Any:
    return await queries.get_transfer(transfer_id, actor=actor_of(principal), uow=uow_of(request))


async def _step(request: Request, transfer_id: str, body: StepIn | None, principal: Principal, action: Any) -> Any:
    cmd = TransferStep(actor=actor_of(principal), transfer_id=transfer_id,
                       expected_version=body.expected_version if body else None)
    uow = uow_of(request)
    t = await action(cmd, uow=uow, clock=clock_of(request))
    async with uow_of(request) as reader:
        deficiencies = await reader.oversight.deficiencies_of(t.id)
    return queries.transfer_view(t, deficiencies)


@transfers.post("/transfers/{transfer_id}/confirm", response_model=TransferOut,
                summary="Confirm as a different representative of the source entity (§95921(a)(1)(B))")
async def confirm(transfer_id: str, request: Request, body: StepIn | None = None,
                  principal: Principal = Depends(_step_up)) -> Any:
    return await _step(request, transfer_id, body, principal, steps.confirm_transfer)


@transfers.post("/transfers/{transfer_id}/accept", response_model=TransferOut,
                summary="Accept as a representative of the destination account (§95921(a)(1)(C))")
async def accept(transfer_id: str, request: Request, body: StepIn | None = None,
                 principal: Principal = Depends(_step_up)) -> Any:
    return await _step(request, transfer_id, body, principal, steps.accept_transfer)


@transfers.post("/transfers/{transfer_id}/withdraw", response_model=TransferOut,
                summary="Withdraw an unfinished request (§95921(i)(1)(D))")
async def withdraw(transfer_id: str, request: Request, body: StepIn | None = None,
                   principal: Principal = Depends(_step_up)) -> Any:
    return await _step(request, transfer_id, body, principal, steps.withdraw_transfer)


@transfers.post("/transfers/{transfer_id}/determination", response_model=TransferOut,
                summary="The Executive Officer approves or denies (§95921(a)(1)(D))")
async def determine(transfer_id: str, body: DeterminationIn, request: Request,
                    principal: Principal = Depends(_step_up)) -> Any:
    cmd = Determine(actor=actor_of(principal), transfer_id=transfer_id, approve=body.decision == "approve",
                    reason=body.reason, expected_version=body.expected_version)
    t = await determination.determine(cmd, uow=uow_of(request), clock=clock_of(request), policy=policy_of(request))
    return queries.transfer_view(t)


router.include_router(transfers)
router.include_router(routes_oversight.router)
router.include_router(routes_public.router)
router.include_router(routes_ops.router)
