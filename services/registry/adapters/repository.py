"""Entities, accounts, representatives and known individuals, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.adapters.orm import (
    account_representatives,
    accounts,
    entities,
    entity_associations,
    known_individuals,
    representative_requests,
)
from services.registry.domain.accounts import AccountStatus, AccountType, AccountView, TransferRestriction


def account_view(account: Any, entity: Any | None) -> AccountView:
    return AccountView(
        number=account.number,
        account_type=AccountType(account.account_type),
        jurisdiction=account.jurisdiction,
        status=AccountStatus(account.status),
        entity_id=account.entity_id,
        transfer_restriction=TransferRestriction(entity.transfer_restriction) if entity else TransferRestriction.NONE,
        sell_deadline=entity.sell_deadline if entity else None,
    )


class SqlAlchemyRegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- individuals --------------------------------------------------------------------------------
    async def kyc_status(self, individual_ids: Iterable[str]) -> dict[str, str]:
        ids = list(set(individual_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(known_individuals.c.id, known_individuals.c.kyc_status).where(known_individuals.c.id.in_(ids))
        )
        return {r[0]: r[1] for r in rows}

    async def individual(self, individual_id: str) -> Any:
        stmt = select(known_individuals).where(known_individuals.c.id == individual_id)
        return (await self.session.execute(stmt)).first()

    async def upsert_individual(self, individual_id: str, *, legal_name: str, jurisdiction: str, kyc_status: str,
                                at: datetime, keep_status: bool = False) -> None:
        stmt = insert(known_individuals).values(
            id=individual_id, legal_name=legal_name, jurisdiction=jurisdiction, kyc_status=kyc_status, updated_at=at,
        )
        if keep_status:
            await self.session.execute(stmt.on_conflict_do_nothing())
            return
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[known_individuals.c.id], set_={"kyc_status": kyc_status, "updated_at": at}
            )
        )

    async def set_kyc_status(self, individual_id: str, status: str, at: datetime) -> bool:
        result = await self.session.execute(
            known_individuals.update().where(known_individuals.c.id == individual_id)
            .values(kyc_status=status, updated_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    # -- entities -------------------------------------------------------------------------------------
    async def entity(self, entity_id: str, *, for_update: bool = False) -> Any:
        stmt = select(entities).where(entities.c.id == entity_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def entities_by_id(self, entity_ids: Iterable[str]) -> dict[str, Any]:
        ids = list(set(entity_ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(entities).where(entities.c.id.in_(ids)))
        return {r.id: r for r in rows}

    async def entities_with_taxpayer_id(self, jurisdiction: str, taxpayer_id: str) -> list[Any]:
        stmt = select(entities).where(entities.c.jurisdiction == jurisdiction, entities.c.taxpayer_id == taxpayer_id)
        return list((await self.session.execute(stmt)).all())

    async def list_entities(self, *, jurisdictions: Sequence[str] | None, status: str | None,
                            ids: Sequence[str] | None = None, limit: int = 200) -> list[Any]:
        stmt = select(entities)
        if jurisdictions is not None:
            stmt = stmt.where(entities.c.jurisdiction.in_(list(jurisdictions)))
        if ids is not None:
            stmt = stmt.where(entities.c.id.in_(list(ids)))
        if status:
            stmt = stmt.where(entities.c.status == status)
        return list((await self.session.execute(stmt.order_by(entities.c.applied_at).limit(limit))).all())

    async def add_entity(self, **values: Any) -> None:
        await self.session.execute(entities.insert().values(**values))

    async def update_entity(self, entity_id: str, **values: Any) -> None:
        await self.session.execute(
            entities.update().where(entities.c.id == entity_id).values(**values, version=entities.c.version + 1)
        )

    async def due_for_sweep(self, now: datetime, limit: int = 50) -> list[str]:
        """§95921(g)(3)(B): suspended or revoked entities past their sell window, not yet swept."""
        stmt = (
            select(entities.c.id)
            .where(
                entities.c.status.in_(["suspended", "revoked"]),
                entities.c.sell_deadline <= now,
                entities.c.remainder_consigned_at.is_(None),
            )
            .order_by(entities.c.sell_deadline)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [r[0] for r in await self.session.execute(stmt)]

    # -- associations (§95833) ---------------------------------------------------------------------------
    async def replace_associations(self, entity_id: str, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(entity_associations.delete().where(entity_associations.c.entity_id == entity_id))
        if rows:
            await self.session.execute(entity_associations.insert(), rows)

    async def associations_declared_by(self, entity_id: str) -> list[Any]:
        stmt = select(entity_associations).where(entity_associations.c.entity_id == entity_id)
        return list((await self.session.execute(stmt)).all())

    async def direct_edges_around(self, entity_id: str) -> list[tuple[str, str]]:
        """Every direct-association edge of the component containing `entity_id` (breadth first)."""
        seen = {entity_id}
        frontier = {entity_id}
        edges: set[tuple[str, str]] = set()
        while frontier:
            ea = entity_associations.c
            rows = (
                await self.session.execute(
                    select(ea.entity_id, ea.associate_entity_id).where(
                        ea.direct.is_(True), or_(ea.entity_id.in_(frontier), ea.associate_entity_id.in_(frontier))
                    )
                )
            ).all()
            frontier = set()
            for a, b in rows:
                edges.add((a, b))
                for node in (a, b):
                    if node not in seen:
                        seen.add(node)
                        frontier.add(node)
        return sorted(edges)

    # -- accounts -----------------------------------------------------------------------------------------
    async def account(self, number: str, *, for_update: bool = False) -> Any:
        stmt = select(accounts).where(accounts.c.number == number)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def lock_accounts(self, numbers: Iterable[str]) -> dict[str, Any]:
        """Lock the rows in account-number order (no deadlock between two moves of the same pair)."""
        wanted = sorted(set(numbers))
        rows = (
            await self.session.execute(
                select(accounts).where(accounts.c.number.in_(wanted)).order_by(accounts.c.number).with_for_update()
            )
        ).all()
        return {r.number: r for r in rows}

    async def accounts_of_entity(self, entity_id: str) -> list[Any]:
        stmt = select(accounts).where(accounts.c.entity_id == entity_id).order_by(accounts.c.number)
        return list((await self.session.execute(stmt)).all())

    async def jurisdiction_account(self, jurisdiction: str, account_type: AccountType) -> Any:
        stmt = select(accounts).where(
            accounts.c.owner_kind == "jurisdiction", accounts.c.jurisdiction == jurisdiction,
            accounts.c.account_type == account_type.value,
        )
        return (await self.session.execute(stmt)).first()

    async def jurisdiction_accounts(self, jurisdiction: str | None = None) -> list[Any]:
        stmt = select(accounts).where(accounts.c.owner_kind == "jurisdiction")
        if jurisdiction:
            stmt = stmt.where(accounts.c.jurisdiction == jurisdiction)
        return list((await self.session.execute(stmt.order_by(accounts.c.jurisdiction, accounts.c.number))).all())

    async def add_account(self, **values: Any) -> None:
        await self.session.execute(accounts.insert().values(**values))

    async def set_account_status(self, number: str, status: AccountStatus, at: datetime) -> None:
        await self.session.execute(
            accounts.update().where(accounts.c.number == number).values(status=status.value, status_changed_at=at)
        )

    # -- representatives (§95832) -------------------------------------------------------------------------
    async def representatives(self, number: str) -> list[tuple[str, str]]:
        ar = account_representatives.c
        rows = await self.session.execute(
            select(ar.individual_id, ar.role).where(ar.account_number == number).order_by(ar.role, ar.individual_id)
        )
        return [(r[0], r[1]) for r in rows]

    async def set_representatives(self, number: str, members: list[tuple[str, str]], at: datetime) -> None:
        ar = account_representatives
        await self.session.execute(ar.delete().where(ar.c.account_number == number))
        await self.session.execute(
            ar.insert(), [{"account_number": number, "individual_id": i, "role": r, "since": at} for i, r in members]
        )

    async def accounts_represented_by(self, individual_id: str) -> list[Any]:
        ar = account_representatives.c
        stmt = (
            select(accounts, ar.role, entities.c.legal_name)
            .select_from(
                account_representatives.join(accounts, accounts.c.number == ar.account_number)
                .outerjoin(entities, entities.c.id == accounts.c.entity_id)
            )
            .where(ar.individual_id == individual_id)
            .order_by(accounts.c.number)
        )
        return list((await self.session.execute(stmt)).all())

    async def add_representative_request(self, **values: Any) -> None:
        await self.session.execute(representative_requests.insert().values(**values))

    async def representative_request(self, request_id: str, *, for_update: bool = False) -> Any:
        stmt = select(representative_requests).where(representative_requests.c.id == request_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def representative_requests(self, entity_id: str) -> list[Any]:
        rr = representative_requests.c
        stmt = select(representative_requests).where(rr.entity_id == entity_id).order_by(rr.requested_at)
        return list((await self.session.execute(stmt)).all())

    async def decide_representative_request(self, request_id: str, **values: Any) -> None:
        await self.session.execute(
            representative_requests.update().where(representative_requests.c.id == request_id).values(**values)
        )
