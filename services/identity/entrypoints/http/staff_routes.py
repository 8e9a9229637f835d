"""Staff endpoints: the registrar's KYC review, flags, incidents, staff roles, machine clients,
and operations (bootstrap, signing-key rotation)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, Response

from services.identity.application import clients, incidents, review, staff
from services.identity.application.credentials import issue_reset_ticket
from services.identity.application.keys import rotate_signing_key
from services.identity.application.renewal import decide_renewal
from services.identity.domain.errors import Forbidden, Unauthenticated
from services.identity.entrypoints.http import schemas as s
from services.identity.entrypoints.http.deps import identity
from shared.auth.dependencies import current_principal, require_role
from shared.auth.principal import Principal

router = APIRouter(prefix="/v1")
registrar = require_role("registrar")


def _status(person: Any) -> s.StatusResponse:
    return s.StatusResponse(individual_id=person.id, status=person.status, status_reason=person.status_reason)


# -- KYC review (registrar of the person's jurisdiction) -------------------------------------------
@router.get("/individuals", tags=["review"])
async def list_individuals(request: Request, status: str | None = None,
                           principal: Principal = Depends(registrar)) -> list[dict[str, Any]]:
    return await review.list_individuals(principal, status, uow=identity(request).svc.uow_factory())


@router.get("/individuals/{individual_id}", tags=["review"])
async def individual(individual_id: str, request: Request,
                     principal: Principal = Depends(registrar)) -> dict[str, Any]:
    svc = identity(request).svc
    return await review.details(individual_id, principal, uow=svc.uow_factory(), svc=svc)


@router.get("/individuals/{individual_id}/documents/{document_id}", tags=["review"],
            response_class=Response, responses={200: {"content": {"application/pdf": {}, "image/png": {}}}})
async def document(individual_id: str, document_id: str, request: Request,
                   principal: Principal = Depends(registrar)) -> Response:
    svc = identity(request).svc
    doc = await review.document(individual_id, document_id, principal, uow=svc.uow_factory(), svc=svc)
    return Response(doc["content"], media_type=doc["content_type"], headers={
        "Content-Disposition": f'attachment; filename="{doc["id"]}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store", "X-Document-SHA256": doc["sha256"]})


@router.post("/individuals/{individual_id}/approval", tags=["review"], response_model=s.StatusResponse)
async def approve(individual_id: str, request: Request, principal: Principal = Depends(registrar)) -> s.StatusResponse:
    svc = identity(request).svc
    return _status(await review.approve(individual_id, principal, uow=svc.uow_factory(), svc=svc))


@router.post("/individuals/{individual_id}/denial", tags=["review"], response_model=s.StatusResponse)
async def deny(individual_id: str, body: s.Reason, request: Request,
               principal: Principal = Depends(registrar)) -> s.StatusResponse:
    svc = identity(request).svc
    return _status(await review.deny(individual_id, body.reason, principal, uow=svc.uow_factory(), svc=svc))


@router.post("/individuals/{individual_id}/suspension", tags=["review"], response_model=s.StatusResponse)
async def suspend(individual_id: str, body: s.Reason, request: Request,
                  principal: Principal = Depends(registrar)) -> s.StatusResponse:
    svc = identity(request).svc
    return _status(await review.suspend(individual_id, body.reason, principal, uow=svc.uow_factory(), svc=svc))


@router.post("/individuals/{individual_id}/reinstatement", tags=["review"], response_model=s.StatusResponse)
async def reinstate(individual_id: str, request: Request,
                    principal: Principal = Depends(registrar)) -> s.StatusResponse:
    svc = identity(request).svc
    return _status(await review.reinstate(individual_id, principal, uow=svc.uow_factory(), svc=svc))


@router.post("/individuals/{individual_id}/deactivation", tags=["review"], response_model=s.StatusResponse)
async def deactivate(individual_id: str, body: s.Reason, request: Request,
                     principal: Principal = Depends(registrar)) -> s.StatusResponse:
    svc = identity(request).svc
    return _status(await review.deactivate(individual_id, body.reason, principal, uow=svc.uow_factory(), svc=svc))


@router.post("/individuals/{individual_id}/credential-reset-tickets", tags=["review"], status_code=201)
async def reset_ticket(individual_id: str, request: Request,
                       principal: Principal = Depends(registrar)) -> dict[str, Any]:
    """A single-use ticket to hand over out of band; the person sets a new password and TOTP."""
    svc = identity(request).svc
    return await issue_reset_ticket(individual_id, principal, uow=svc.uow_factory(), svc=svc)


@router.post("/individuals/{individual_id}/id-renewals/{renewal_id}/approval", tags=["review"])
async def approve_renewal(individual_id: str, renewal_id: str, request: Request,
                          principal: Principal = Depends(registrar)) -> dict[str, Any]:
    svc = identity(request).svc
    return await decide_renewal(individual_id, renewal_id, approve=True, reason=None, principal=principal,
                                uow=svc.uow_factory(), svc=svc)


@router.post("/individuals/{individual_id}/id-renewals/{renewal_id}/denial", tags=["review"])
async def deny_renewal(individual_id: str, renewal_id: str, body: s.Reason, request: Request,
                       principal: Principal = Depends(registrar)) -> dict[str, Any]:
    svc = identity(request).svc
    return await decide_renewal(individual_id, renewal_id, approve=False, reason=body.reason, principal=principal,
                                uow=svc.uow_factory(), svc=svc)


@router.get("/flags", tags=["review"])
async def list_flags(request: Request, include_resolved: bool = False,
                     principal: Principal = Depends(registrar)) -> list[dict[str, Any]]:
    """Duplicate-person attempts and reused documents, for the registrars of the jurisdiction."""
    return await review.list_flags(principal, include_resolved, uow=identity(request).svc.uow_factory())


@router.post("/flags/{flag_id}/resolution", tags=["review"], status_code=204)
async def resolve_flag(flag_id: str, body: s.Resolution, request: Request,
                       principal: Principal = Depends(registrar)) -> Response:
    svc = identity(request).svc
    await review.resolve_flag(flag_id, body.resolution, principal, uow=svc.uow_factory(), svc=svc)
    return Response(status_code=204)


# -- credential compromise ------------------------------------------------------------------------
@router.post("/incidents", tags=["incidents"], status_code=201)
async def report_incident(body: s.IncidentIn, request: Request,
                          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Force a password reset and TOTP re-enrolment for every representative of the entity and
    revoke all their tokens and sessions at once (registrar, or the entity's primary representative)."""
    svc = identity(request).svc
    return await incidents.report_compromise(body.entity_id, body.description, principal, uow=svc.uow_factory(),
                                             svc=svc)


@router.get("/incidents", tags=["incidents"])
async def list_incidents(request: Request, principal: Principal = Depends(registrar)) -> list[dict[str, Any]]:
    return await incidents.list_incidents(principal, uow=identity(request).svc.uow_factory())


# -- staff and machine clients (Executive Officer of the jurisdiction) ------------------------------
@router.post("/staff", tags=["staff"], status_code=201)
async def create_staff(body: s.StaffIn, request: Request,
                       principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    svc = identity(request).svc
    return await staff.create_staff(str(body.email), body.legal_name, body.jurisdiction, body.roles, principal,
                                    uow=svc.uow_factory(), svc=svc)


@router.post("/staff/{individual_id}/roles", tags=["staff"])
async def grant_role(individual_id: str, body: s.RoleIn, request: Request,
                     principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    svc = identity(request).svc
    roles = await staff.grant_role(individual_id, body.role, body.jurisdiction, principal, uow=svc.uow_factory(),
                                   svc=svc)
    return {"individual_id": individual_id, "roles": roles}


@router.delete("/staff/{individual_id}/roles/{role}/{jurisdiction}", tags=["staff"])
async def remove_role(individual_id: str, role: str, jurisdiction: str, request: Request,
                      principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    svc = identity(request).svc
    roles = await staff.remove_role(individual_id, role, jurisdiction, principal, uow=svc.uow_factory(), svc=svc)
    return {"individual_id": individual_id, "roles": roles}


@router.post("/clients", tags=["clients"], status_code=201)
async def register_client(body: s.ClientIn, request: Request,
                          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """A machine client (client-credentials grant); the secret is shown once."""
    svc = identity(request).svc
    return await clients.register_machine_client(body.client_id, body.name, body.scopes, body.jurisdiction,
                                                 principal, uow=svc.uow_factory(), svc=svc)


@router.get("/clients", tags=["clients"])
async def list_clients(request: Request, principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return await clients.list_machine_clients(principal, uow=identity(request).svc.uow_factory())


@router.delete("/clients/{client_id}", tags=["clients"], status_code=204)
async def disable_client(client_id: str, request: Request,
                         principal: Principal = Depends(current_principal)) -> Response:
    svc = identity(request).svc
    await clients.disable_machine_client(client_id, principal, uow=svc.uow_factory(), svc=svc)
    return Response(status_code=204)


# -- operations -----------------------------------------------------------------------------------
def _bootstrap_secret_ok(request: Request, presented: str | None) -> bool:
    configured = identity(request).svc.settings.bootstrap_secret
    return bool(configured and presented and hmac.compare_digest(configured.get_secret_value(), presented))


@router.post("/ops/bootstrap/staff", tags=["operations"], status_code=201)
async def bootstrap_staff(body: s.StaffIn, request: Request,
                          x_bootstrap_secret: str | None = Header(default=None)) -> dict[str, Any]:
    """The first staff members, before anyone can sign in (CAPREG_IDENTITY_BOOTSTRAP_SECRET)."""
    if not _bootstrap_secret_ok(request, x_bootstrap_secret):
        raise Unauthenticated("a valid X-Bootstrap-Secret is required (and must be configured)")
    svc = identity(request).svc
    return await staff.create_staff(str(body.email), body.legal_name, body.jurisdiction, body.roles, None,
                                    uow=svc.uow_factory(), svc=svc)


async def _operator(request: Request, x_bootstrap_secret: str | None = Header(default=None)) -> str:
    if _bootstrap_secret_ok(request, x_bootstrap_secret):
        return "bootstrap"
    principal = await current_principal(request, await _bearer(request))
    if not (principal.is_machine and clients.KEYS_SCOPE in principal.scopes):
        raise Forbidden(f"requires a machine client with the {clients.KEYS_SCOPE} scope")
    return principal.subject


async def _bearer(request: Request) -> Any:
    from fastapi.security import HTTPBearer

    return await HTTPBearer(auto_error=False)(request)


@router.post("/ops/keys/rotation", tags=["operations"], status_code=201)
async def rotate_keys(request: Request, body: s.RotateIn | None = None,
                      operator: str = Depends(_operator)) -> dict[str, Any]:
    """Publish a new signing key now; it signs after the lead time (old key kept while its tokens live)."""
    lead = body.lead_seconds if body else None
    return await rotate_signing_key(identity(request).svc, by=operator, lead_seconds=lead)


@router.get("/ops/keys", tags=["operations"])
async def list_keys(request: Request, operator: str = Depends(_operator)) -> list[dict[str, Any]]:
    svc = identity(request).svc
    await svc.keyring.ensure_fresh(force=True)
    return svc.keyring.describe(svc.clock.now())
