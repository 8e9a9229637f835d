"""Repositories of the authorization server: clients, sessions, refresh tokens, codes, tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.adapters.orm import (
    authorization_codes,
    incidents,
    oauth_clients,
    rate_limits,
    refresh_tokens,
    sessions,
    tickets,
)


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(oauth_clients).where(oauth_clients.c.client_id == client_id)
        row = (await self.session.execute(stmt.with_for_update() if lock else stmt)).mappings().first()
        return dict(row) if row else None

    async def upsert_first_party(self, values: dict[str, Any]) -> None:
        stmt = insert(oauth_clients).values(**values)
        keep = ("client_id", "created_at", "created_by")
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[oauth_clients.c.client_id],
            set_={k: stmt.excluded[k] for k in values if k not in keep},
        ))

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(oauth_clients.insert().values(**values))

    async def update(self, client_id: str, **values: Any) -> None:
        await self.session.execute(update(oauth_clients).where(oauth_clients.c.client_id == client_id).values(**values))

    async def list_machines(self) -> list[dict[str, Any]]:
        stmt = select(oauth_clients).where(oauth_clients.c.kind == "machine").order_by(oauth_clients.c.created_at)
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, session_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(sessions).where(sessions.c.id == session_id))).mappings().first()
        return dict(row) if row else None

    async def open_for(self, individual_id: str, now: datetime) -> list[str]:
        stmt = select(sessions.c.id).where(sessions.c.individual_id == individual_id, sessions.c.ended_at.is_(None),
                                           sessions.c.expires_at > now).with_for_update()
        return list((await self.session.execute(stmt)).scalars().all())

    async def add(self, **values: Any) -> None:
        await self.session.execute(sessions.insert().values(**values))

    async def end(self, session_ids: list[str], *, at: datetime, reason: str) -> None:
        """End sessions and revoke every refresh token of their families."""
        if not session_ids:
            return
        await self.session.execute(update(sessions).where(sessions.c.id.in_(session_ids),
                                                          sessions.c.ended_at.is_(None))
                                   .values(ended_at=at, end_reason=reason))
        await self.session.execute(update(refresh_tokens).where(refresh_tokens.c.session_id.in_(session_ids),
                                                                refresh_tokens.c.revoked_at.is_(None))
                                   .values(revoked_at=at))

    async def end_all_for(self, individual_id: str, *, at: datetime, reason: str) -> list[str]:
        stmt = select(sessions.c.id).where(sessions.c.individual_id == individual_id, sessions.c.ended_at.is_(None))
        ids = list((await self.session.execute(stmt)).scalars().all())
        await self.end(ids, at=at, reason=reason)
        return ids


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(refresh_tokens.insert().values(**values))

    async def by_hash(self, token_hash: str) -> dict[str, Any] | None:
        stmt = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def mark_used(self, token_id: str, *, at: datetime, replaced_by: str | None) -> None:
        await self.session.execute(update(refresh_tokens).where(refresh_tokens.c.id == token_id)
                                   .values(used_at=at, replaced_by=replaced_by))


class AuthorizationCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(authorization_codes.insert().values(**values))

    async def by_hash(self, code_hash: str) -> dict[str, Any] | None:
        stmt = select(authorization_codes).where(authorization_codes.c.code_hash == code_hash).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def mark_used(self, code_hash: str, at: datetime) -> None:
        await self.session.execute(update(authorization_codes).where(authorization_codes.c.code_hash == code_hash)
                                   .values(used_at=at))


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(tickets.insert().values(**values))

    async def by_hash(self, token_hash: str) -> dict[str, Any] | None:
        stmt = select(tickets).where(tickets.c.token_hash == token_hash).with_for_update()
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def update(self, ticket_id: str, **values: Any) -> None:
        await self.session.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))

    async def void_open(self, individual_id: str, at: datetime) -> None:
        await self.session.execute(update(tickets).where(tickets.c.individual_id == individual_id,
                                                         tickets.c.used_at.is_(None)).values(used_at=at))


class IncidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> None:
        await self.session.execute(incidents.insert().values(**values))

    async def visible(self, jurisdictions: set[str] | None, entity_ids: set[str] | None) -> list[dict[str, Any]]:
        stmt = select(incidents).order_by(incidents.c.created_at)
        if jurisdictions is not None and entity_ids is not None:
            stmt = stmt.where(incidents.c.jurisdiction.in_(jurisdictions) | incidents.c.entity_id.in_(entity_ids))
        return [dict(r) for r in (await self.session.execute(stmt)).mappings()]


class RateLimitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hit(self, key: str, window_start: datetime) -> int:
        """Count one hit in the fixed window starting at `window_start`; return the count."""
        insert_stmt = insert(rate_limits).values(key=key, window_start=window_start, hits=1)
        stmt = insert_stmt.on_conflict_do_update(
            index_elements=[rate_limits.c.key],
            set_={
                "hits": case((rate_limits.c.window_start == window_start, rate_limits.c.hits + 1), else_=1),
                "window_start": window_start,
            },
        ).returning(rate_limits.c.hits)
        return int((await self.session.execute(stmt)).scalar_one())
