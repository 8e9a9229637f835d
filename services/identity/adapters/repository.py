"""Repositories of people: individuals, credentials, documents, flags, roles, representatives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.adapters.orm import (
    credentials,
    documents,
    flags,
    id_renewals,
    individuals,
    known_accounts,
    representatives,
    role_grants,
)
from services.identity.domain.credentials import CredentialState
from services.identity.domain.errors import Conflict
from services.identity.domain.model import Individual, Kind, Status


async def _execute(session: AsyncSession, stmt: Any) -> CursorResult[Any]:
    """DML whose row count matters (CursorResult, not the generic Result type)."""
    return cast(CursorResult[Any], await session.execute(stmt))


def _to_individual(row: Any) -> Individual:
    return Individual(
        id=row["id"], kind=Kind(row["kind"]), status=Status(row["status"]), jurisdiction=row["jurisdiction"],
        legal_name=row["legal_name"], email=row["email"], registered_at=row["registered_at"],
        id_expires_on=row["id_expires_on"], documents_submitted_at=row["documents_submitted_at"],
        decided_at=row["decided_at"], decided_by=row["decided_by"], status_reason=row["status_reason"],
        activated_at=row["activated_at"], version=row["version"],
    )


class IndividualRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, individual_id: str, *, lock: bool = False) -> Individual | None:
        stmt = select(individuals).where(individuals.c.id == individual_id)
        row = (await self.session.execute(stmt.with_for_update() if lock else stmt)).mappings().first()
        return _to_individual(row) if row else None

    async def row(self, individual_id: str) -> dict[str, Any] | None:
        stmt = select(individuals).where(individuals.c.id == individual_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def by_email(self, email: str) -> Individual | None:
        row = (await self.session.execute(select(individuals).where(individuals.c.email == email))).mappings().first()
        return _to_individual(row) if row else None

    async def by_registration_token(self, individual_id: str, token_hash: str) -> Individual | None:
        stmt = select(individuals).where(
            individuals.c.id == individual_id, individuals.c.registration_token_hash == token_hash
        ).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return _to_individual(row) if row else None

    async def holders_of(self, *, person_key: str | None, document_key: str | None,
                         exclude: str | None = None) -> list[dict[str, Any]]:
        conditions = []
        if person_key:
            conditions.append(individuals.c.person_key == person_key)
        if document_key:
            conditions.append(individuals.c.document_key == document_key)
        if not conditions:
            return []
        stmt = select(individuals.c.id, individuals.c.jurisdiction, individuals.c.status,
                      individuals.c.person_key, individuals.c.document_key).where(conditions[0] if len(conditions) == 1
                                                                                  else conditions[0] | conditions[1])
        if exclude:
            stmt = stmt.where(individuals.c.id != exclude)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings().all()]

    async def lock_fingerprints(self, *keys: str) -> None:
        """Serialise registrations of the same person (the unique index is the backstop)."""
        for key in sorted(k for k in keys if k):
            await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(individuals.insert().values(**values))

    async def save(self, person: Individual, **extra: Any) -> None:
        """Write the aggregate back; the version column refuses a lost update."""
        result = await _execute(self.session,
            update(individuals)
            .where(individuals.c.id == person.id, individuals.c.version == person.version)
            .values(
                status=person.status.value, id_expires_on=person.id_expires_on,
                documents_submitted_at=person.documents_submitted_at, decided_at=person.decided_at,
                decided_by=person.decided_by, status_reason=person.status_reason,
                activated_at=person.activated_at, version=person.version + 1, **extra,
            )
        )
        if result.rowcount != 1:
            raise Conflict("the individual was changed concurrently; retry")
        person.version += 1

    async def query(self, *, jurisdictions: set[str], status: str | None, limit: int) -> list[dict[str, Any]]:
        stmt = select(individuals.c.id, individuals.c.legal_name, individuals.c.email, individuals.c.kind,
                      individuals.c.jurisdiction, individuals.c.status, individuals.c.registered_at,
                      individuals.c.documents_submitted_at).where(individuals.c.jurisdiction.in_(jurisdictions))
        if status:
            stmt = stmt.where(individuals.c.status == status)
        stmt = stmt.order_by(individuals.c.registered_at).limit(limit)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings().all()]


@dataclass
class CredentialRecord:
    individual_id: str
    password_hash: str | None
    totp_secret_enc: bytes | None
    totp_pending_enc: bytes | None
    last_totp_step: int | None
    state: CredentialState


class CredentialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, individual_id: str, *, lock: bool = True) -> CredentialRecord | None:
        stmt = select(credentials).where(credentials.c.individual_id == individual_id)
        row = (await self.session.execute(stmt.with_for_update() if lock else stmt)).mappings().first()
        if row is None:
            return None
        return CredentialRecord(
            individual_id=row["individual_id"], password_hash=row["password_hash"],
            totp_secret_enc=row["totp_secret_enc"], totp_pending_enc=row["totp_pending_enc"],
            last_totp_step=row["last_totp_step"],
            state=CredentialState(
                failed_attempts=row["failed_attempts"], locked_until=row["locked_until"],
                must_reset=row["must_reset"], tokens_valid_after=row["tokens_valid_after"],
                last_token_iat=row["last_token_iat"],
            ),
        )

    async def add(self, individual_id: str, **values: Any) -> None:
        await self.session.execute(credentials.insert().values(individual_id=individual_id, **values))

    async def save(self, record: CredentialRecord, **extra: Any) -> None:
        s = record.state
        await self.session.execute(
            update(credentials).where(credentials.c.individual_id == record.individual_id).values(
                failed_attempts=s.failed_attempts, locked_until=s.locked_until, must_reset=s.must_reset,
                tokens_valid_after=s.tokens_valid_after, last_token_iat=s.last_token_iat,
                last_totp_step=record.last_totp_step, **extra,
            )
        )


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(documents.insert().values(**values))

    async def kinds_of(self, individual_id: str) -> set[str]:
        stmt = select(documents.c.kind).where(documents.c.individual_id == individual_id,
                                              documents.c.renewal_id.is_(None))
        return set((await self.session.execute(stmt)).scalars().all())

    async def of_individual(self, individual_id: str) -> list[dict[str, Any]]:
        stmt = select(documents.c.id, documents.c.kind, documents.c.content_type, documents.c.size_bytes,
                      documents.c.sha256, documents.c.original_filename, documents.c.renewal_id,
                      documents.c.uploaded_at).where(documents.c.individual_id == individual_id)
        return [dict(r) for r in (await self.session.execute(stmt.order_by(documents.c.uploaded_at))).mappings()]

    async def get(self, individual_id: str, document_id: str) -> dict[str, Any] | None:
        stmt = select(documents).where(documents.c.individual_id == individual_id, documents.c.id == document_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def owners_of_digest(self, sha256: str, exclude: str) -> list[str]:
        stmt = select(documents.c.individual_id).where(documents.c.sha256 == sha256,
                                                       documents.c.individual_id != exclude).distinct()
        return list((await self.session.execute(stmt)).scalars().all())


class RenewalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(id_renewals.insert().values(**values))

    async def get(self, renewal_id: str, individual_id: str) -> dict[str, Any] | None:
        stmt = select(id_renewals).where(id_renewals.c.id == renewal_id,
                                         id_renewals.c.individual_id == individual_id).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def decide(self, renewal_id: str, *, status: str, by: str, at: datetime, reason: str | None) -> None:
        await self.session.execute(update(id_renewals).where(id_renewals.c.id == renewal_id).values(
            status=status, decided_by=by, decided_at=at, reason=reason))

    async def pending_for(self, individual_id: str) -> list[dict[str, Any]]:
        stmt = select(id_renewals.c.id, id_renewals.c.id_type, id_renewals.c.id_number_masked,
                      id_renewals.c.id_issuer, id_renewals.c.id_expires_on, id_renewals.c.submitted_at,
                      id_renewals.c.status).where(id_renewals.c.individual_id == individual_id)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]


class FlagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(flags.insert().values(**values))

    async def in_jurisdictions(self, jurisdictions: set[str], *, include_resolved: bool) -> list[dict[str, Any]]:
        stmt = select(flags).where(flags.c.jurisdiction.in_(jurisdictions)).order_by(flags.c.created_at)
        if not include_resolved:
            stmt = stmt.where(flags.c.resolved_at.is_(None))
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def get(self, flag_id: str) -> dict[str, Any] | None:
        stmt = select(flags).where(flags.c.id == flag_id).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def resolve(self, flag_id: str, *, by: str, at: datetime, resolution: str) -> None:
        await self.session.execute(update(flags).where(flags.c.id == flag_id).values(
            resolved_at=at, resolved_by=by, resolution=resolution))


class RoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, individual_id: str) -> list[str]:
        stmt = select(role_grants.c.role, role_grants.c.jurisdiction).where(
            role_grants.c.individual_id == individual_id)
        return sorted(f"{r}:{j}" for r, j in (await self.session.execute(stmt)).all())

    async def grant(self, individual_id: str, role: str, jurisdiction: str, *, by: str, at: datetime) -> bool:
        stmt = insert(role_grants).values(individual_id=individual_id, role=role, jurisdiction=jurisdiction,
                                          granted_by=by, granted_at=at).on_conflict_do_nothing()
        return (await _execute(self.session, stmt)).rowcount == 1

    async def revoke(self, individual_id: str, role: str, jurisdiction: str) -> bool:
        stmt = delete(role_grants).where(role_grants.c.individual_id == individual_id, role_grants.c.role == role,
                                         role_grants.c.jurisdiction == jurisdiction)
        return (await _execute(self.session, stmt)).rowcount == 1


class RepresentativeRepository:
    """Who represents which entity, as learnt from the registry's AccountChanged events (§95832)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace_account(self, *, account_number: str, entity_id: str | None, jurisdiction: str, status: str,
                              changed_at: datetime, reps: list[tuple[str, str]]) -> bool:
        """Apply the account's current state unless a newer one was applied already."""
        stmt = insert(known_accounts).values(account_number=account_number, entity_id=entity_id,
                                             jurisdiction=jurisdiction, status=status, changed_at=changed_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[known_accounts.c.account_number],
            set_={"entity_id": entity_id, "jurisdiction": jurisdiction, "status": status, "changed_at": changed_at},
            where=known_accounts.c.changed_at <= changed_at,
        )
        if (await _execute(self.session, stmt)).rowcount != 1:
            return False  # an older event arrived late: last write wins by occurred_at
        await self.session.execute(delete(representatives).where(representatives.c.account_number == account_number))
        for individual_id, role in reps:
            await self.session.execute(insert(representatives).values(
                account_number=account_number, individual_id=individual_id, role=role, entity_id=entity_id,
                jurisdiction=jurisdiction))
        return True

    async def of_entity(self, entity_id: str) -> list[dict[str, Any]]:
        stmt = select(representatives.c.individual_id, representatives.c.role, representatives.c.jurisdiction,
                      representatives.c.account_number).where(representatives.c.entity_id == entity_id)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]

    async def entity_jurisdictions(self, entity_id: str) -> set[str]:
        stmt = select(func.distinct(known_accounts.c.jurisdiction)).where(known_accounts.c.entity_id == entity_id)
        return set((await self.session.execute(stmt)).scalars().all())
