"""Entity registration (§95830), review by the registrar, corporate associations (§95833)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import open_account, publish_account
from services.registry.application.policy import RegistryPolicy
from services.registry.domain.accounts import AccountStatus, TransferRestriction
from services.registry.domain.entities import (
    ACCOUNT_SETS,
    EntityStatus,
    EntityType,
    Indicium,
    RepresentativeSet,
    account_status_for,
    association_groups,
    ensure_eligible,
    is_direct_association,
    transition,
    validate_split,
)
from services.registry.domain.errors import (
    EntityAlreadyRegistered,
    Forbidden,
    InvalidInput,
    NotFound,
    RegistrationBarred,
)
from shared.auth.principal import Principal
from shared.contracts.registry import EntityChanged


@dataclass(frozen=True)
class AssociationDeclaration:
    associate_entity_id: str
    indicia: tuple[Indicium, ...]


@dataclass(frozen=True)
class EntityApplication:
    legal_name: str
    entity_type: EntityType
    jurisdiction: str
    taxpayer_id: str
    addresses: list[dict[str, Any]]
    directors_officers: list[dict[str, Any]]
    representatives: RepresentativeSet
    associations: tuple[AssociationDeclaration, ...] = ()


async def get_entity(uow: RegistryUnitOfWork, entity_id: str, *, for_update: bool = False) -> Any:
    row = await uow.registry.entity(entity_id, for_update=for_update)
    if row is None:
        raise NotFound("no such entity", entity_id=entity_id)
    return row


async def association_group(uow: RegistryUnitOfWork, entity_id: str) -> frozenset[str]:
    groups = association_groups(await uow.registry.direct_edges_around(entity_id))
    return groups.get(entity_id, frozenset({entity_id}))


async def apply_entity(uow: RegistryUnitOfWork, policy: RegistryPolicy, app: EntityApplication,
                       *, by: Principal) -> str:
    if app.jurisdiction not in policy.jurisdictions:
        raise InvalidInput("unknown jurisdiction", jurisdiction=app.jurisdiction)
    app.representatives.validate()
    if not by.is_staff(app.jurisdiction) and by.subject not in (app.representatives.primary,
                                                                  *app.representatives.alternates):
        raise Forbidden("the applicant must be the primary or an alternate account representative")
    ensure_eligible(app.representatives, await uow.registry.kyc_status(app.representatives.individuals()))
    for other in await uow.registry.entities_with_taxpayer_id(app.jurisdiction, app.taxpayer_id):
        if other.status in (EntityStatus.SUSPENDED, EntityStatus.REVOKED):
            raise RegistrationBarred("this entity's registration was suspended or revoked", entity_id=other.id)
        if other.status in (EntityStatus.APPLIED, EntityStatus.APPROVED):
            raise EntityAlreadyRegistered("an entity holds one set of accounts (§95830)", entity_id=other.id)
    entity_id = "ent_" + uuid.uuid4().hex[:20]
    now = uow.clock.now()
    reps = app.representatives
    await uow.registry.add_entity(
        id=entity_id, legal_name=app.legal_name, entity_type=app.entity_type.value, jurisdiction=app.jurisdiction,
        taxpayer_id=app.taxpayer_id, status=EntityStatus.APPLIED.value, applied_by=by.subject, applied_at=now,
        status_changed_at=now, transfer_restriction=TransferRestriction.NONE.value,
        details={
            "addresses": app.addresses,
            "directors_officers": app.directors_officers,
            "representatives": {"primary": reps.primary, "alternates": list(reps.alternates),
                                "viewing_agents": list(reps.viewing_agents)},
        },
    )
    if app.associations:
        await _store_associations(uow, entity_id, app.associations)
    await publish_entity(uow, entity_id)
    await uow.audit("entity.applied", entity_id, {"legal_name": app.legal_name, "type": app.entity_type.value,
                                                  "jurisdiction": app.jurisdiction})
    return entity_id


def representatives_of(entity: Any) -> RepresentativeSet:
    reps = entity.details["representatives"]
    return RepresentativeSet(reps["primary"], tuple(reps["alternates"]), tuple(reps.get("viewing_agents", ())))


async def decide_application(uow: RegistryUnitOfWork, entity_id: str, *, approve: bool, reason: str | None,
                             by: Principal) -> list[str]:
    """The registrar of the entity's jurisdiction approves (opening its one set of accounts) or denies."""
    entity = await get_entity(uow, entity_id, for_update=True)
    if not by.has_role("registrar", entity.jurisdiction):
        raise Forbidden("only a registrar of the entity's jurisdiction decides its application")
    new_status = transition(EntityStatus(entity.status), "approve" if approve else "deny")
    now = uow.clock.now()
    opened: list[str] = []
    if approve:
        reps = representatives_of(entity)
        ensure_eligible(reps, await uow.registry.kyc_status(reps.individuals()))
        for account_type in ACCOUNT_SETS[EntityType(entity.entity_type)]:  # §95830: one set of accounts
            number = await open_account(uow, jurisdiction=entity.jurisdiction, account_type=account_type,
                                        entity_id=entity_id, at=now)
            await uow.registry.set_representatives(number, reps.members(), now)
            opened.append(number)
    await uow.registry.update_entity(entity_id, status=new_status.value, decided_by=by.subject, decided_at=now,
                                     status_reason=reason, status_changed_at=now)
    for number in opened:
        await publish_account(uow, number)
    await publish_entity(uow, entity_id)
    await uow.audit("entity.approved" if approve else "entity.denied", entity_id,
                    {"reason": reason, "accounts": opened})
    return opened


async def _store_associations(uow: RegistryUnitOfWork, entity_id: str,
                              declarations: tuple[AssociationDeclaration, ...]) -> None:
    associates = [d.associate_entity_id for d in declarations]
    if entity_id in associates or len(set(associates)) != len(associates):
        raise InvalidInput("each associate is named once, and not the entity itself")
    known = await uow.registry.entities_by_id(associates)
    missing = sorted(set(associates) - set(known))
    if missing:
        raise InvalidInput("associates must be registered entities", unknown=missing)
    now = uow.clock.now()
    await uow.registry.replace_associations(entity_id, [
        {"entity_id": entity_id, "associate_entity_id": d.associate_entity_id,
         "indicia": [{"kind": i.kind.value, "percent": str(i.percent)} for i in d.indicia],
         "direct": is_direct_association(d.indicia), "declared_at": now}
        for d in declarations
    ])


async def declare_associations(uow: RegistryUnitOfWork, entity_id: str,
                               declarations: tuple[AssociationDeclaration, ...]) -> frozenset[str]:
    """Replace the entity's declared associations. Any change of a direct association group voids the
    split its members declared (it no longer adds up); they declare it again."""
    await get_entity(uow, entity_id, for_update=True)
    before = await association_group(uow, entity_id)
    await _store_associations(uow, entity_id, declarations)
    after = await association_group(uow, entity_id)
    affected = before | after
    if before != after:
        for member in affected:
            await uow.registry.update_entity(member, holding_limit_share=None, purchase_limit_share=None)
    for member in sorted(affected):
        await publish_entity(uow, member)
    await uow.audit("entity.associations_declared", entity_id, {"group": sorted(after)})
    return after


async def set_association_split(uow: RegistryUnitOfWork, entity_id: str,
                                shares: dict[str, tuple[Decimal, Decimal]]) -> frozenset[str]:
    """The association's split of its shared holding and purchase limits (§95920, §95833)."""
    await get_entity(uow, entity_id)
    group = await association_group(uow, entity_id)
    if len(group) < 2:
        raise InvalidInput("the entity has no direct corporate association to split limits with")
    validate_split(group, shares)
    for member, (holding, purchase) in shares.items():
        await uow.registry.update_entity(member, holding_limit_share=holding, purchase_limit_share=purchase)
    for member in sorted(group):
        await publish_entity(uow, member)
    await uow.audit("entity.association_split", entity_id,
                    {m: {"holding": str(h), "purchase": str(p)} for m, (h, p) in shares.items()})
    return group


async def publish_entity(uow: RegistryUnitOfWork, entity_id: str) -> None:
    entity = await get_entity(uow, entity_id)
    group = await association_group(uow, entity_id)
    await uow.publish(
        EntityChanged(
            entity_id=entity.id, legal_name=entity.legal_name, entity_type=entity.entity_type,
            jurisdiction=entity.jurisdiction, status=entity.status,
            direct_associates=sorted(group - {entity_id}),
            transfers_restricted=entity.transfer_restriction != TransferRestriction.NONE.value,
            transfer_restriction=entity.transfer_restriction,
            holding_limit_share=None if entity.holding_limit_share is None else str(entity.holding_limit_share),
            purchase_limit_share=None if entity.purchase_limit_share is None else str(entity.purchase_limit_share),
            sell_deadline=entity.sell_deadline,
        )
    )


async def sync_account_statuses(uow: RegistryUnitOfWork, entity_id: str) -> list[str]:
    """Bring every account's status in line with its entity's status and restrictions; publish changes."""
    entity = await get_entity(uow, entity_id)
    wanted = account_status_for(EntityStatus(entity.status), TransferRestriction(entity.transfer_restriction),
                                entity.holding_limit_lowered_to is not None)
    changed = []
    now = uow.clock.now()
    for account in await uow.registry.accounts_of_entity(entity_id):
        if AccountStatus(account.status) is not wanted:
            await uow.registry.set_account_status(account.number, wanted, now)
            await publish_account(uow, account.number)
            changed.append(account.number)
    return changed
