"""Operations: figures for the operations dashboard (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from services.transfers.application.queries import STAFF_ROLES
from services.transfers.application.statistics import statistics
from services.transfers.entrypoints.http.deps import actor_of, clock_of, uow_of
from shared.auth.dependencies import require_role
from shared.auth.principal import Principal

router = APIRouter(tags=["operations"])


@router.get("/ops/statistics",
            summary="Transfer requests by state and age, and deadlines due in the next 24 hours (staff, own "
                    "jurisdictions)")
async def transfer_statistics(
    request: Request,
    principal: Principal = Depends(require_role(*STAFF_ROLES)),
    jurisdiction: str | None = Query(None, max_length=8),
) -> dict[str, Any]:
    return await statistics(actor=actor_of(principal), uow=uow_of(request), now=clock_of(request).now(),
                            jurisdiction=jurisdiction)
