"""Operations: the §95921(g)(3)(B) sweep on demand, and the ledger reconciliation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from services.registry.application.reconcile import reconcile
from services.registry.application.sweep import run_sweep
from services.registry.entrypoints.http.deps import retrying, uow
from shared.auth.dependencies import require_role
from shared.auth.principal import Principal

router = APIRouter(prefix="/v1/ops", tags=["operations"])
operator = require_role("machine", "executive_officer", "accounts_administrator")
# the reconciliation only reads; the market monitor watches the market's integrity (docs/operations.md)
reader = require_role("machine", "executive_officer", "accounts_administrator", "market_monitor")


@router.post("/revocation-sweep")
async def revocation_sweep(request: Request, _: Principal = Depends(operator)) -> Any:
    """Consign to auction what suspended or revoked entities still hold after their 30-day window
    (§95921(g)(3)(B)). The service also runs this periodically; running it twice moves nothing twice."""
    consigned = await retrying(lambda: run_sweep(lambda: uow(request)))
    return {"as_of": request.app.state.clock.now(), "consigned": consigned}


@router.get("/reconciliation")
async def reconciliation(request: Request, _: Principal = Depends(reader)) -> Any:
    """Re-derive every balance from the journal and compare with the serial blocks (read-only)."""
    async with uow(request) as u:
        await u.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report = await reconcile(u.session)
    return {"consistent": report.consistent, "journal_entries": report.journal_entries,
            "movements": report.movements, "blocks": report.blocks, "accounts": report.accounts,
            "created": report.created, "held": report.held, "problems": report.problems[:500]}
