"""Entities, accounts, representatives and individuals as the registry and identity published them.

Events may arrive out of order across topics and partitions: a row is replaced only by an event
that occurred at or after the one it holds (last write wins by occurred_at).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.auction.adapters.orm import (
    account_representatives,
    fsa_information,
    known_accounts,
    known_entities,
    known_individuals,
)
from services.auction.domain.participation import INELIGIBLE_STATUSES, EntityStanding, RepresentativeStanding

HOLDING = "holding"
AUCTION_HOLDING_TYPES = ("auction_holding", "auction")


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- writes from events ----------------------------------------------------------------------
    async def put_entity(self, *, entity_id: str, legal_name: str, entity_type: str, jurisdiction: str,
                         status: str, direct_associates: list[str], occurred_at: datetime) -> bool:
        t = known_entities
        stmt = insert(t).values(entity_id=entity_id, legal_name=legal_name, entity_type=entity_type,
                                jurisdiction=jurisdiction, status=status, direct_associates=direct_associates,
                                updated_at=occurred_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.entity_id],
            set_={c: stmt.excluded[c] for c in ("legal_name", "entity_type", "jurisdiction", "status",
                                                "direct_associates", "updated_at")},
            where=t.c.updated_at <= stmt.excluded.updated_at,
        )
        return (await self.session.execute(stmt.returning(t.c.entity_id))).first() is not None

    async def put_account(self, *, account_number: str, account_type: str, owner_kind: str,
                          entity_id: str | None, jurisdiction: str, status: str,
                          representatives: Iterable[tuple[str, str]], occurred_at: datetime) -> bool:
        t = known_accounts
        stmt = insert(t).values(account_number=account_number, account_type=account_type, owner_kind=owner_kind,
                                entity_id=entity_id, jurisdiction=jurisdiction, status=status,
                                updated_at=occurred_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.account_number],
            set_={c: stmt.excluded[c] for c in ("account_type", "owner_kind", "entity_id", "jurisdiction",
                                                "status", "updated_at")},
            where=t.c.updated_at <= stmt.excluded.updated_at,
        )
        if (await self.session.execute(stmt.returning(t.c.account_number))).first() is None:
            return False  # an older event than the one applied
        r = account_representatives
        await self.session.execute(delete(r).where(r.c.account_number == account_number))
        rows = [{"account_number": account_number, "individual_id": i, "role": role} for i, role in representatives]
        if rows:
            await self.session.execute(insert(r).on_conflict_do_nothing(), rows)
        return True

    async def put_individual(self, *, individual_id: str, kyc_status: str, occurred_at: datetime,
                             legal_name: str | None = None, jurisdiction: str | None = None) -> bool:
        t = known_individuals
        stmt = insert(t).values(individual_id=individual_id, legal_name=legal_name, jurisdiction=jurisdiction,
                                kyc_status=kyc_status, updated_at=occurred_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.individual_id],
            set_={"kyc_status": stmt.excluded.kyc_status, "updated_at": stmt.excluded.updated_at,
                  "legal_name": stmt.excluded.legal_name if legal_name else t.c.legal_name,
                  "jurisdiction": stmt.excluded.jurisdiction if jurisdiction else t.c.jurisdiction},
            where=t.c.updated_at <= stmt.excluded.updated_at,
        )
        return (await self.session.execute(stmt.returning(t.c.individual_id))).first() is not None

    async def put_fsa_information(self, individual_id: str, details: dict[str, Any], at: datetime) -> None:
        t = fsa_information
        stmt = insert(t).values(individual_id=individual_id, details=details, submitted_at=at)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[t.c.individual_id],
            set_={"details": stmt.excluded.details, "submitted_at": stmt.excluded.submitted_at},
        ))

    # ---- reads ---------------------------------------------------------------------------------
    async def fsa_information(self, individual_id: str) -> Mapping[Any, Any] | None:
        t = fsa_information
        return (await self.session.execute(select(t).where(t.c.individual_id == individual_id))).mappings().first()

    async def entity(self, entity_id: str) -> EntityStanding | None:
        e = known_entities
        row = (await self.session.execute(select(e).where(e.c.entity_id == entity_id))).mappings().first()
        if row is None:
            return None
        a = known_accounts
        holding = (await self.session.execute(
            select(a.c.account_number, a.c.status)
            .where(a.c.entity_id == entity_id, a.c.owner_kind == "entity", a.c.account_type == HOLDING)
            .order_by(a.c.updated_at.desc()).limit(1)
        )).first()
        return EntityStanding(
            entity_id=row["entity_id"], legal_name=row["legal_name"], entity_type=row["entity_type"],
            jurisdiction=row["jurisdiction"], status=row["status"],
            holding_account=holding.account_number if holding else None,
            holding_account_status=holding.status if holding else None,
        )

    async def entities(self, entity_ids: Iterable[str]) -> dict[str, EntityStanding]:
        found: dict[str, EntityStanding] = {}
        for entity_id in sorted(set(entity_ids)):
            standing = await self.entity(entity_id)
            if standing is not None:
                found[entity_id] = standing
        return found

    async def _roles(self, individual_id: str) -> dict[str, set[str]]:
        """entity id -> this individual's roles on the entity's open accounts."""
        a, r = known_accounts, account_representatives
        rows = (await self.session.execute(
            select(a.c.entity_id, r.c.role)
            .join(r, r.c.account_number == a.c.account_number)
            .where(r.c.individual_id == individual_id, a.c.owner_kind == "entity", a.c.entity_id.is_not(None),
                   a.c.status != "closed")
        )).all()
        roles: dict[str, set[str]] = {}
        for entity_id, role in rows:
            roles.setdefault(entity_id, set()).add(role)
        return roles

    async def _ineligible(self, entity_ids: Iterable[str]) -> list[str]:
        """Those of `entity_ids` suspended or revoked, or with such a holding account (§95912(d)(3))."""
        ids = sorted(set(entity_ids))
        if not ids:
            return []
        e, a = known_entities, known_accounts
        by_entity = select(e.c.entity_id).where(e.c.entity_id.in_(ids), e.c.status.in_(INELIGIBLE_STATUSES))
        by_account = select(a.c.entity_id).where(
            and_(a.c.entity_id.in_(ids), a.c.account_type == HOLDING, a.c.status.in_(INELIGIBLE_STATUSES)))
        rows = (await self.session.execute(by_entity.union(by_account))).scalars().all()
        return sorted(str(x) for x in rows)

    async def representative(self, individual_id: str, entity_id: str) -> RepresentativeStanding:
        roles = await self._roles(individual_id)
        i = known_individuals
        kyc = (await self.session.execute(
            select(i.c.kyc_status).where(i.c.individual_id == individual_id))).scalar()
        return RepresentativeStanding(
            individual_id=individual_id,
            roles=frozenset(roles.get(entity_id, set())),
            kyc_status=kyc,
            fsa_information_given=await self.fsa_information(individual_id) is not None,
            ineligible_associations=tuple(await self._ineligible(roles)),
        )

    async def represented_entities(self, individual_id: str) -> dict[str, set[str]]:
        return await self._roles(individual_id)

    async def representatives_of(self, entity_id: str) -> list[Mapping[Any, Any]]:
        a, r, i = known_accounts, account_representatives, known_individuals
        rows = (await self.session.execute(
            select(r.c.individual_id, r.c.role, a.c.account_number, i.c.kyc_status)
            .join(a, r.c.account_number == a.c.account_number)
            .outerjoin(i, i.c.individual_id == r.c.individual_id)
            .where(a.c.entity_id == entity_id).order_by(r.c.individual_id, a.c.account_number)
        )).mappings().all()
        return list(rows)

    async def auction_holding_accounts(self, jurisdictions: Iterable[str]) -> dict[str, str]:
        a = known_accounts
        rows = (await self.session.execute(
            select(a.c.jurisdiction, a.c.account_number)
            .where(a.c.owner_kind == "jurisdiction", a.c.account_type.in_(AUCTION_HOLDING_TYPES),
                   a.c.jurisdiction.in_(sorted(set(jurisdictions))))
            .order_by(a.c.updated_at)
        )).all()
        return {j: number for j, number in rows}
