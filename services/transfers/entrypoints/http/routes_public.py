"""Notifications, the public transfer report (§95921(e)(1), no authentication) and the deadline sweep."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from services.transfers.application import queries
from services.transfers.entrypoints.http.deps import actor_of, clock_of, policy_of, uow_of
from services.transfers.entrypoints.http.schemas import NotificationOut, ReportOut
from services.transfers.entrypoints.scheduler import sweep_now
from shared.auth.dependencies import current_principal, require_role
from shared.auth.principal import Principal

router = APIRouter()


@router.get("/notifications", response_model=list[NotificationOut], tags=["notifications"],
            summary="Notices to the signed-in individual (and to the staff roles they hold)")
async def notifications(
    request: Request,
    principal: Principal = Depends(current_principal),
    transfer_id: str | None = Query(None, max_length=40),
    since: AwareDatetime | None = None,
    limit: int = Query(200, ge=1, le=1000),
) -> Any:
    return await queries.notifications_for(actor=actor_of(principal), uow=uow_of(request), transfer_id=transfer_id,
                                           since=since, limit=limit)


@router.get("/public/transfer-report", response_model=ReportOut, response_model_by_alias=True, tags=["public"],
            summary="Prices and quantities of recorded transfers, without the parties (§95921(e)(1))")
async def transfer_report(
    request: Request,
    start: date | None = Query(None, alias="from"),
    end: date | None = Query(None, alias="to"),
) -> Any:
    today = clock_of(request).now().date()
    report = await queries.public_report(uow=uow_of(request), start=start, end=end, today=today)
    return ReportOut.model_validate(report)


@router.post("/deadlines/sweep", tags=["operations"],
             summary="Run the deadline sweep now (it also runs every second in the background)")
async def sweep_deadlines(
    request: Request,
    _: Principal = Depends(require_role("accounts_administrator", "executive_officer", "machine")),
) -> dict[str, Any]:
    report = await sweep_now(request.app.state.runtime, policy_of(request))
    return asdict(report)
