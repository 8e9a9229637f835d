from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import select

from services.registry.adapters.orm import known_individuals
from shared.auth.dependencies import require_role
from shared.auth.principal import Principal
from shared.errors import NotFound

router = APIRouter(prefix="/v1", tags=["registry"])
_staff = require_role("registrar", "accounts_administrator", "executive_officer", "market_monitor")


class KnownIndividual(BaseModel):
    individual_id: str
    legal_name: str
    jurisdiction: str
    kyc_status: str


@router.get("/individuals/{individual_id}", response_model=KnownIndividual)
async def get_individual(individual_id: str, request: Request, _: Principal = Depends(_staff)) -> KnownIndividual:
    runtime = request.app.state.runtime
    async with runtime.uow() as uow:
        row = (
            await uow.session.execute(select(known_individuals).where(known_individuals.c.id == individual_id))
        ).mappings().first()
    if row is None:
        raise NotFound("no such individual", individual_id=individual_id)
    return KnownIndividual(
        individual_id=row["id"], legal_name=row["legal_name"], jurisdiction=row["jurisdiction"],
        kyc_status=row["kyc_status"],
    )
