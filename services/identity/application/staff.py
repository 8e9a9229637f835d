"""Staff members and their roles per jurisdiction.

Grants are made by staff: the Executive Officer of a jurisdiction grants and removes that
jurisdiction's staff roles (the EO designates the auction and financial services
administrators, §95912(a)). The first staff member comes from the bootstrap endpoint (guarded
by a secret from the settings) or from `seed_staff` (services/identity/seed.py, dev launcher).
"""

from __future__ import annotations

import asyncio
from typing import Any

from services.identity.adapters.crypto import new_id
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.credentials import issue_ticket
from services.identity.application.revocation import revoke_individuals
from services.identity.application.services import IdentityServices
from services.identity.domain.errors import EmailAlreadyRegistered, Forbidden, InvalidInput, NotFound
from services.identity.domain.model import JURISDICTIONS, Individual, Kind, Status
from services.identity.domain.roles import check_staff_role, parse_role
from shared.auth.principal import Principal


def require_executive_officer(principal: Principal | None, jurisdiction: str) -> str:
    """The acting staff member's id; None stands for the bootstrap secret (checked at the edge)."""
    if principal is None:
        return "bootstrap"
    if not principal.has_role("executive_officer", jurisdiction):
        raise Forbidden(f"requires executive_officer:{jurisdiction}")
    return principal.subject


async def create_staff_member(
    uow: IdentityUnitOfWork, svc: IdentityServices, *, email: str, legal_name: str, jurisdiction: str,
    roles: list[str], created_by: str, password: str | None = None, totp_secret: str | None = None,
) -> Individual:
    """An active staff member; without a password, the credential is set through a ticket."""
    if jurisdiction not in JURISDICTIONS:
        raise InvalidInput("unknown jurisdiction", allowed=list(JURISDICTIONS))
    parsed = [parse_role(r) for r in roles]
    email = email.strip().lower()
    if await uow.individuals.by_email(email) is not None:
        raise EmailAlreadyRegistered()
    now = svc.clock.now()
    person = Individual(id=new_id("stf"), kind=Kind.STAFF, status=Status.ACTIVE, jurisdiction=jurisdiction,
                        legal_name=legal_name, email=email, registered_at=now, activated_at=now)
    await uow.individuals.add({"id": person.id, "kind": person.kind.value, "status": person.status.value,
                               "jurisdiction": jurisdiction, "legal_name": legal_name, "email": email,
                               "registered_at": now, "activated_at": now})
    password_hash = await asyncio.to_thread(svc.passwords.hash, password) if password else None
    await uow.credentials.add(
        person.id, password_hash=password_hash, password_changed_at=now if password else None,
        totp_secret_enc=svc.box.seal(totp_secret, f"totp:{person.id}") if totp_secret else None,
        totp_enrolled_at=now if totp_secret else None,
    )
    for role, jur in parsed:
        await uow.roles.grant(person.id, role, jur, by=created_by, at=now)
    await uow.audit("staff.created", person.id, {"roles": roles, "created_by": created_by}, actor=created_by)
    return person


async def create_staff(email: str, legal_name: str, jurisdiction: str, roles: list[str], principal: Principal | None,
                       *, uow: IdentityUnitOfWork, svc: IdentityServices) -> dict[str, Any]:
    for value in roles:
        _, jur = parse_role(value)
        require_executive_officer(principal, jur)
    actor = require_executive_officer(principal, jurisdiction)
    async with uow:
        person = await create_staff_member(uow, svc, email=email, legal_name=legal_name, jurisdiction=jurisdiction,
                                           roles=roles, created_by=actor)
        ticket = await issue_ticket(uow, svc, person, purpose="enrolment", issued_by=actor)
        await uow.commit()
    return {"individual_id": person.id, "roles": sorted(roles), "enrolment": ticket}


async def grant_role(individual_id: str, role: str, jurisdiction: str, principal: Principal, *,
                     uow: IdentityUnitOfWork, svc: IdentityServices) -> list[str]:
    check_staff_role(role, jurisdiction)
    actor = require_executive_officer(principal, jurisdiction)
    async with uow:
        person = await uow.individuals.get(individual_id)
        if person is None or person.status is not Status.ACTIVE:
            raise NotFound("no such active individual", individual_id=individual_id)
        await uow.roles.grant(individual_id, role, jurisdiction, by=actor, at=svc.clock.now())
        await uow.audit("role.granted", individual_id, {"role": f"{role}:{jurisdiction}"})
        roles = await uow.roles.of(individual_id)
        await uow.commit()
    return roles


async def remove_role(individual_id: str, role: str, jurisdiction: str, principal: Principal, *,
                      uow: IdentityUnitOfWork, svc: IdentityServices) -> list[str]:
    """Takes effect at once: the person's tokens (which carry the role) are revoked everywhere."""
    check_staff_role(role, jurisdiction)
    require_executive_officer(principal, jurisdiction)
    async with uow:
        if not await uow.roles.revoke(individual_id, role, jurisdiction):
            raise NotFound("the individual does not hold this role")
        await revoke_individuals(uow, [individual_id], now=svc.clock.now(), reason="role_removed")
        await uow.audit("role.removed", individual_id, {"role": f"{role}:{jurisdiction}"})
        roles = await uow.roles.of(individual_id)
        await uow.commit()
    return roles
