"""Individuals, "my accounts", accounts and their holdings, the public compliance report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.registry.application.access import ensure_can_view_account, is_staff_of
from services.registry.application.queries import account_detail, my_accounts
from services.registry.domain.account_numbers import is_valid_account_number, normalize_account_number
from services.registry.entrypoints.http.deps import staff, uow
from shared.auth.dependencies import current_principal, require_role
from shared.auth.principal import Principal
from shared.errors import Forbidden, NotFound

router = APIRouter(prefix="/v1", tags=["registry"])


class KnownIndividual(BaseModel):
    individual_id: str
    legal_name: str
    jurisdiction: str
    kyc_status: str


@router.get("/individuals/{individual_id}", response_model=KnownIndividual)
async def get_individual(individual_id: str, request: Request, _: Principal = Depends(staff)) -> KnownIndividual:
    async with uow(request) as u:
        row = await u.registry.individual(individual_id)
    if row is None:
        raise NotFound("no such individual", individual_id=individual_id)
    return KnownIndividual(individual_id=row.id, legal_name=row.legal_name, jurisdiction=row.jurisdiction,
                           kyc_status=row.kyc_status)


@router.get("/me/accounts")
async def get_my_accounts(request: Request, principal: Principal = Depends(require_role("individual"))) -> Any:
    """The caller's rights: every account they represent and their role there (§95832)."""
    async with uow(request) as u:
        return await my_accounts(u, principal.subject)


@router.get("/accounts/{account_number}")
async def get_account(account_number: str, request: Request,
                      principal: Principal = Depends(current_principal)) -> Any:
    number = normalize_account_number(account_number)
    async with uow(request) as u:
        account = await u.registry.account(number)
        await ensure_can_view_account(u, principal, account)
        return await account_detail(u, account)


@router.get("/accounts/{account_number}/holdings")
async def get_holdings(
    account_number: str, request: Request, principal: Principal = Depends(current_principal),
    after_jurisdiction: str | None = None, after_serial: int | None = Query(default=None, ge=0),
    limit: int = Query(default=200, ge=0, le=1000),
) -> Any:
    """Balances and serial blocks; confidential (§95921(e)(3)): the account's representatives, viewing
    agents and the jurisdiction's staff only. Blocks are paged by (jurisdiction, first serial)."""
    number = normalize_account_number(account_number)
    async with uow(request) as u:
        account = await u.registry.account(number)
        await ensure_can_view_account(u, principal, account)
        balances = await u.ledger.balances(number)
        after = (after_jurisdiction, after_serial) if after_jurisdiction and after_serial is not None else None
        blocks = await u.ledger.blocks(number, limit=limit, after=after) if limit else []
    return {
        "account_number": number,
        "balances": balances,
        "blocks": [
            {"instrument_type": b.instrument_type, "jurisdiction": b.jurisdiction, "vintage": b.vintage,
             "first_serial": b.first, "last_serial": b.last, "quantity": b.quantity, "reservation_id": b.reservation}
            for b in blocks
        ],
        "next": ({"after_jurisdiction": blocks[-1].jurisdiction, "after_serial": blocks[-1].first}
                 if blocks and len(blocks) == limit else None),
    }


@router.get("/entities/{entity_id}/accounts")
async def get_entity_accounts(entity_id: str, request: Request,
                              principal: Principal = Depends(current_principal)) -> Any:
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        if entity is None:
            raise NotFound("no such entity")
        out = []
        for account in await u.registry.accounts_of_entity(entity_id):
            try:
                await ensure_can_view_account(u, principal, account)
            except NotFound:
                continue
            out.append(await account_detail(u, account))
    if not out:
        raise NotFound("no such entity")
    return {"entity_id": entity_id, "accounts": out}


@router.get("/jurisdictions/{jurisdiction}/accounts")
async def get_jurisdiction_accounts(jurisdiction: str, request: Request,
                                    _: Principal = Depends(current_principal)) -> Any:
    """The jurisdiction's own accounts (issuance, auction holding, retirement, ...): not confidential."""
    async with uow(request) as u:
        rows = await u.registry.jurisdiction_accounts(jurisdiction.upper())
    if not rows:
        raise NotFound("no accounts for that jurisdiction", jurisdiction=jurisdiction)
    return {"jurisdiction": jurisdiction.upper(),
            "accounts": {r.account_type: {"account_number": r.number, "status": r.status} for r in rows}}


@router.get("/accounts")
async def list_accounts(request: Request, jurisdiction: str, principal: Principal = Depends(staff),
                        entity_id: str | None = None) -> Any:
    if not is_staff_of(principal, jurisdiction):
        raise Forbidden("staff see their own jurisdiction's accounts")
    async with uow(request) as u:
        rows = (await u.registry.accounts_of_entity(entity_id) if entity_id
                else await u.registry.jurisdiction_accounts(jurisdiction))
        return {"accounts": [await account_detail(u, r) for r in rows if r.jurisdiction == jurisdiction]}


@router.get("/account-numbers/{account_number}", tags=["public"])
async def check_account_number(account_number: str) -> Any:
    """Validates the check digits (ISO 7064 MOD 97-10) without saying whether the account exists."""
    if not is_valid_account_number(account_number):
        return {"valid": False}
    return {"valid": True, "account_number": normalize_account_number(account_number)}


@router.get("/public/compliance-account-totals", tags=["public"])
async def compliance_account_totals(request: Request) -> Any:
    """§95921(e)(4): what compliance accounts hold, by jurisdiction and instrument, without identities."""
    async with uow(request) as u:
        totals = await u.ledger.compliance_totals()
    return {"as_of": request.app.state.clock.now(), "totals": totals}

