"""Entity registration and review, associations, representatives, the Executive Officer's restrictions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from services.registry.application import entities as app
from services.registry.application import representatives as reps_app
from services.registry.application import restrictions
from services.registry.application.access import ensure_can_act_for_entity, ensure_can_view_entity, is_staff_of
from services.registry.application.queries import entity_detail
from services.registry.domain.entities import Indicium, RepresentativeSet
from services.registry.entrypoints.http.deps import policy, staff, uow
from services.registry.entrypoints.http.schemas import (
    AssociationIn,
    AssociationsIn,
    AssociationSplitIn,
    Created,
    DecisionIn,
    EntityApplicationIn,
    ExemptionIn,
    ReasonIn,
    RepresentativeChangeIn,
    RestrictionIn,
)
from shared.auth.dependencies import current_principal, require_role, require_step_up
from shared.auth.principal import Principal
from shared.errors import Forbidden, NotFound

router = APIRouter(prefix="/v1", tags=["entities"])
step_up = require_step_up()


def _declarations(items: list[AssociationIn]) -> tuple[app.AssociationDeclaration, ...]:
    return tuple(
        app.AssociationDeclaration(a.associate_entity_id, tuple(Indicium(i.kind, i.percent) for i in a.indicia))
        for a in items
    )


@router.post("/entities", status_code=201, response_model=Created)
async def apply(body: EntityApplicationIn, request: Request,
                principal: Principal = Depends(current_principal)) -> Created:
    """Apply for registration (§95830); the applicant is one of the named primary/alternate representatives."""
    application = app.EntityApplication(
        legal_name=body.legal_name, entity_type=body.entity_type, jurisdiction=body.jurisdiction,
        taxpayer_id=body.taxpayer_id, addresses=[a.model_dump() for a in body.addresses],
        directors_officers=[p.model_dump() for p in body.directors_officers],
        representatives=RepresentativeSet(body.representatives.primary, tuple(body.representatives.alternates),
                                          tuple(body.representatives.viewing_agents)),
        associations=_declarations(body.associations),
    )
    async with uow(request) as u:
        entity_id = await app.apply_entity(u, policy(request), application, by=principal)
        await u.commit()
    return Created(id=entity_id, status="applied")


@router.get("/entities")
async def list_entities(request: Request, status: str | None = None, jurisdiction: str | None = None,
                        principal: Principal = Depends(staff)) -> Any:
    """The registrar's queue (e.g. ?status=applied), limited to the caller's jurisdictions."""
    mine = [j for j in policy(request).jurisdictions if is_staff_of(principal, j)]
    if jurisdiction is not None:
        if jurisdiction not in mine:
            raise Forbidden("staff see their own jurisdiction's entities")
        mine = [jurisdiction]
    async with uow(request) as u:
        rows = await u.registry.list_entities(jurisdictions=mine, status=status)
    return {"entities": [entity_detail(r) for r in rows]}


@router.get("/entities/{entity_id}")
async def get_entity(entity_id: str, request: Request, principal: Principal = Depends(current_principal)) -> Any:
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        await ensure_can_view_entity(u, principal, entity)
        group = await app.association_group(u, entity_id)
        declared = await u.registry.associations_declared_by(entity_id)
    return {
        **entity_detail(entity),
        "direct_associates": sorted(group - {entity_id}),
        "declared_associations": [
            {"associate_entity_id": a.associate_entity_id, "indicia": a.indicia, "direct": a.direct}
            for a in declared
        ],
    }


@router.post("/entities/{entity_id}/approve")
async def approve(entity_id: str, body: DecisionIn, request: Request,
                  principal: Principal = Depends(step_up)) -> Any:
    """The registrar of the entity's jurisdiction approves; its one set of accounts opens (§95830)."""
    async with uow(request) as u:
        opened = await app.decide_application(u, entity_id, approve=True, reason=body.reason, by=principal)
        await u.commit()
    return {"entity_id": entity_id, "status": "approved", "accounts": opened}


@router.post("/entities/{entity_id}/deny")
async def deny(entity_id: str, body: DecisionIn, request: Request, principal: Principal = Depends(step_up)) -> Any:
    async with uow(request) as u:
        await app.decide_application(u, entity_id, approve=False, reason=body.reason, by=principal)
        await u.commit()
    return {"entity_id": entity_id, "status": "denied"}


@router.put("/entities/{entity_id}/associations")
async def declare_associations(entity_id: str, body: AssociationsIn, request: Request,
                               principal: Principal = Depends(current_principal)) -> Any:
    """Declare corporate associations and their indicia of control (§95833)."""
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        if entity is None:
            raise NotFound("no such entity")
        await ensure_can_act_for_entity(u, principal, entity)
        group = await app.declare_associations(u, entity_id, _declarations(body.associations))
        await u.commit()
    return {"entity_id": entity_id, "direct_association": sorted(group)}


@router.put("/entities/{entity_id}/association-split")
async def split_limits(entity_id: str, body: AssociationSplitIn, request: Request,
                       principal: Principal = Depends(require_role("registrar"))) -> Any:
    """Record how a direct corporate association splits its shared holding and purchase limits."""
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        if entity is None or not principal.has_role("registrar", entity.jurisdiction):
            raise Forbidden("only a registrar of the entity's jurisdiction records the split")
        group = await app.set_association_split(
            u, entity_id, {s.entity_id: (s.holding_limit_share, s.purchase_limit_share) for s in body.shares}
        )
        await u.commit()
    return {"association": sorted(group), "shares": [s.model_dump(mode="json") for s in body.shares]}


@router.post("/entities/{entity_id}/representative-requests", status_code=201, response_model=Created)
async def request_representatives(entity_id: str, body: RepresentativeChangeIn, request: Request,
                                  principal: Principal = Depends(current_principal)) -> Created:
    """Ask for a new set of representatives (§95832); the registrar approves."""
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        if entity is None:
            raise NotFound("no such entity")
        await ensure_can_act_for_entity(u, principal, entity)
        request_id = await reps_app.request_change(
            u, entity_id, RepresentativeSet(body.primary, tuple(body.alternates), tuple(body.viewing_agents)),
            body.account_numbers, by=principal.subject,
        )
        await u.commit()
    return Created(id=request_id, status="pending")


@router.get("/entities/{entity_id}/representative-requests")
async def list_representative_requests(entity_id: str, request: Request,
                                       principal: Principal = Depends(current_principal)) -> Any:
    async with uow(request) as u:
        entity = await u.registry.entity(entity_id)
        await ensure_can_view_entity(u, principal, entity)
        rows = await u.registry.representative_requests(entity_id)
    return {"requests": [reps_app.request_view(r) for r in rows]}


@router.post("/representative-requests/{request_id}/approve")
async def approve_representatives(request_id: str, body: DecisionIn, request: Request,
                                  principal: Principal = Depends(step_up)) -> Any:
    async with uow(request) as u:
        changed = await reps_app.decide_change(u, request_id, approve=True, reason=body.reason, by=principal)
        await u.commit()
    return {"request_id": request_id, "status": "approved", "accounts": changed}


@router.post("/representative-requests/{request_id}/deny")
async def deny_representatives(request_id: str, body: DecisionIn, request: Request,
                               principal: Principal = Depends(step_up)) -> Any:
    async with uow(request) as u:
        await reps_app.decide_change(u, request_id, approve=False, reason=body.reason, by=principal)
        await u.commit()
    return {"request_id": request_id, "status": "denied"}


@router.put("/entities/{entity_id}/restrictions")
async def restrict(entity_id: str, body: RestrictionIn, request: Request,
                   principal: Principal = Depends(step_up)) -> Any:
    """§95921(g)(1), (4): lower the holding limit, limit or prohibit transfers (Executive Officer)."""
    async with uow(request) as u:
        await restrictions.restrict(u, entity_id, transfers=body.transfers, holding_limit=body.holding_limit,
                                    reason=body.reason, by=principal)
        await u.commit()
    return {"entity_id": entity_id, "transfers": body.transfers, "holding_limit": body.holding_limit}


async def _status(entity_id: str, action: str, body: ReasonIn, request: Request, principal: Principal) -> Any:
    async with uow(request) as u:
        status = await restrictions.change_status(u, policy(request), entity_id, action, reason=body.reason,
                                                  by=principal)
        entity = await u.registry.entity(entity_id)
        await u.commit()
    return {"entity_id": entity_id, "status": status, "sell_deadline": entity.sell_deadline}


@router.post("/entities/{entity_id}/suspend")
async def suspend(entity_id: str, body: ReasonIn, request: Request, principal: Principal = Depends(step_up)) -> Any:
    """§95921(g)(3): suspend; the entity has 30 days to sell or retire what its holding account holds."""
    return await _status(entity_id, "suspend", body, request, principal)


@router.post("/entities/{entity_id}/revoke")
async def revoke(entity_id: str, body: ReasonIn, request: Request, principal: Principal = Depends(step_up)) -> Any:
    """§95921(g)(3): revoke; after 30 days the remainder is consigned to auction (§95921(g)(3)(B))."""
    return await _status(entity_id, "revoke", body, request, principal)


@router.post("/entities/{entity_id}/reinstate")
async def reinstate(entity_id: str, body: ReasonIn, request: Request,
                    principal: Principal = Depends(step_up)) -> Any:
    return await _status(entity_id, "reinstate", body, request, principal)


@router.put("/entities/{entity_id}/compliance-exemption")
async def set_exemption(entity_id: str, body: ExemptionIn, request: Request,
                        principal: Principal = Depends(step_up)) -> Any:
    """The compliance account's limited exemption from the holding limit (§95920); null = the default."""
    async with uow(request) as u:
        await restrictions.set_compliance_exemption(u, entity_id, body.quantity, by=principal)
        await u.commit()
    return {"entity_id": entity_id, "compliance_exemption": body.quantity}
