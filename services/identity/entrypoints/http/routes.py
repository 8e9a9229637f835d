import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import select

from services.identity.adapters.orm import individuals
from shared.contracts.identity import IndividualRegistered
from shared.errors import Conflict

router = APIRouter(prefix="/v1", tags=["identity"])


class RegistrationRequest(BaseModel):
    legal_name: str = Field(min_length=2, max_length=300)
    email: EmailStr
    jurisdiction: str = Field(pattern="^(CA|QC|NS)$")


class RegistrationResponse(BaseModel):
    individual_id: str
    status: str


@router.post("/registrations", status_code=201, response_model=RegistrationResponse)
async def register(body: RegistrationRequest, request: Request) -> RegistrationResponse:
    runtime = request.app.state.runtime
    async with runtime.uow() as uow:
        email = body.email.lower()
        if (await uow.session.execute(select(individuals.c.id).where(individuals.c.email == email))).first():
            raise Conflict("this e-mail is already registered")
        individual_id = "ind_" + uuid.uuid4().hex[:20]
        now = uow.clock.now()
        await uow.session.execute(
            individuals.insert().values(
                id=individual_id, legal_name=body.legal_name, email=email,
                jurisdiction=body.jurisdiction, status="registered", registered_at=now,
            )
        )
        await uow.publish(
            IndividualRegistered(
                individual_id=individual_id, legal_name=body.legal_name, email=email,
                jurisdiction=body.jurisdiction, registered_at=now,
            )
        )
        await uow.audit("individual.registered", individual_id, {"email": email}, actor=individual_id)
        await uow.commit()
    return RegistrationResponse(individual_id=individual_id, status="registered")
