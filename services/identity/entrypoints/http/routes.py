"""The registrant's and the individual's own endpoints: registration with KYC (§95834),
documents, activation, ID renewal, credential reset, own profile."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from pydantic import BaseModel

from services.identity.adapters.crypto import hash_token
from services.identity.application import credentials as reset
from services.identity.application import registration as reg
from services.identity.application.renewal import RenewalRequest, submit_renewal
from services.identity.domain.errors import InvalidTicket, NotFound
from services.identity.domain.model import REQUIRED_DOCUMENTS, GovernmentId, document_deadline
from services.identity.entrypoints.http import schemas as s
from services.identity.entrypoints.http.deps import identity, origin
from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal

router = APIRouter(prefix="/v1", tags=["registration"])
TokenHeader = Header(alias="X-Registration-Token", description="returned once by POST /v1/registrations")


async def _read_capped(file: UploadFile, max_bytes: int) -> bytes:
    return await file.read(max_bytes + 1)  # one byte more than allowed: enough to refuse


@router.post("/registrations", status_code=201, response_model=s.RegistrationResponse)
async def register(body: s.RegistrationRequest, request: Request) -> s.RegistrationResponse:
    """Register an individual user (§95834). One person, one registration: the same person under
    another e-mail is refused with `duplicate_person` and flagged to the registrars."""
    st = identity(request)
    done = await reg.register(body.to_application(), body.password, uow=st.svc.uow_factory(), svc=st.svc,
                              origin=origin(request))
    return s.RegistrationResponse(individual_id=done.individual_id, status="registered",
                                  registration_token=done.registration_token, documents_due_by=done.documents_due_by,
                                  required_documents=sorted(k.value for k in REQUIRED_DOCUMENTS))


@router.get("/registrations/{individual_id}")
async def registration_status(individual_id: str, request: Request, token: str = TokenHeader) -> dict[str, Any]:
    svc = identity(request).svc
    async with svc.uow_factory() as uow:
        person = await uow.individuals.by_registration_token(individual_id, hash_token(token))
        if person is None:
            raise InvalidTicket()
        documents = await uow.documents.of_individual(individual_id)
    return {"individual_id": person.id, "status": person.status, "status_reason": person.status_reason,
            "documents_due_by": document_deadline(person.registered_at, svc.kyc),
            "documents": [{k: d[k] for k in ("id", "kind", "content_type", "size_bytes")}
                          for d in documents]}


@router.post("/registrations/{individual_id}/documents", status_code=201)
async def upload_document(
    individual_id: str, request: Request, kind: str = Form(...), file: UploadFile = File(...),
    token: str = TokenHeader,
) -> dict[str, Any]:
    """A KYC document (PDF, PNG or JPEG, judged by its content), within 30 days of registering."""
    st = identity(request)
    content = await _read_capped(file, st.svc.settings.max_document_bytes)
    return await reg.upload_document(individual_id, token, kind=kind, content=content, filename=file.filename,
                                     uow=st.svc.uow_factory(), svc=st.svc)


@router.post("/registrations/{individual_id}/submission", response_model=s.StatusResponse)
async def submit(individual_id: str, request: Request, token: str = TokenHeader) -> s.StatusResponse:
    st = identity(request)
    person = await reg.submit_documents(individual_id, token, uow=st.svc.uow_factory(), svc=st.svc)
    return s.StatusResponse(individual_id=person.id, status=person.status)


@router.post("/registrations/{individual_id}/activation", response_model=s.TotpEnrolment)
async def start_activation(individual_id: str, body: s.Password, request: Request,
                           token: str = TokenHeader) -> s.TotpEnrolment:
    """After approval: confirm the password and receive the TOTP secret to enrol."""
    st = identity(request)
    out = await reg.start_activation(individual_id, token, body.password, uow=st.svc.uow_factory(), svc=st.svc)
    return s.TotpEnrolment(**out)


@router.post("/registrations/{individual_id}/activation/confirmation", response_model=s.StatusResponse)
async def confirm_activation(individual_id: str, body: s.Code, request: Request,
                             token: str = TokenHeader) -> s.StatusResponse:
    st = identity(request)
    person = await reg.confirm_activation(individual_id, token, body.totp, uow=st.svc.uow_factory(), svc=st.svc)
    return s.StatusResponse(individual_id=person.id, status=person.status)


@router.post("/id-renewals", status_code=201, tags=["individuals"])
async def renew_id(
    request: Request,
    email: str = Form(...), password: str = Form(...), totp: str = Form(...),
    id_type: str = Form(...), id_number: str = Form(...), id_issuer: str = Form(...), id_expires_on: date = Form(...),
    file: UploadFile = File(...),
) -> dict[str, Any]:
    """An individual whose ID expired (and who therefore gets no tokens) submits the new one,
    authenticating with password and one-time code; a registrar approves it."""
    st = identity(request)
    content = await _read_capped(file, st.svc.settings.max_document_bytes)
    req = RenewalRequest(email=email, password=password, totp=totp, document=content, filename=file.filename,
                         government_id=GovernmentId(id_type=id_type, number=id_number, issuer=id_issuer,
                                                    expires_on=id_expires_on))
    return await submit_renewal(req, uow=st.svc.uow_factory(), svc=st.svc, origin=origin(request))


@router.post("/credential-resets", response_model=s.TotpEnrolment, tags=["individuals"])
async def start_reset(body: s.ResetStart, request: Request) -> s.TotpEnrolment:
    """With a ticket from a registrar (after a compromise) or an enrolment ticket (new staff)."""
    st = identity(request)
    out = await reset.start_reset(str(body.email), body.ticket, body.new_password, uow=st.svc.uow_factory(),
                                  svc=st.svc, origin=origin(request))
    return s.TotpEnrolment(**out)


class Done(BaseModel):
    status: str


@router.post("/credential-resets/confirmation", response_model=Done, tags=["individuals"])
async def confirm_reset(body: s.ResetConfirm, request: Request) -> Done:
    st = identity(request)
    await reset.confirm_reset(str(body.email), body.ticket, body.totp, uow=st.svc.uow_factory(), svc=st.svc,
                              origin=origin(request))
    return Done(status="credentials_replaced")


@router.get("/me", tags=["individuals"])
async def me(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    if principal.is_machine:
        return {"subject": principal.subject, "roles": sorted(principal.roles), "scopes": sorted(principal.scopes)}
    async with identity(request).svc.uow_factory() as uow:
        row = await uow.individuals.row(principal.subject)
        if row is None:
            raise NotFound("no such individual")
        roles = await uow.roles.of(principal.subject)
    return {"individual_id": row["id"], "kind": row["kind"], "status": row["status"], "legal_name": row["legal_name"],
            "email": row["email"], "jurisdiction": row["jurisdiction"], "id_expires_on": row["id_expires_on"],
            "staff_roles": roles, "token_roles": sorted(principal.roles)}
