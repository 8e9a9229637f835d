"""The identity service's unit of work: repositories are built on the open session."""

from datetime import datetime
from typing import Any

from services.identity.adapters.repository import (
    CredentialRepository,
    DocumentRepository,
    FlagRepository,
    IndividualRepository,
    RenewalRepository,
    RepresentativeRepository,
    RoleRepository,
)
from services.identity.adapters.token_repository import (
    AuthorizationCodeRepository,
    ClientRepository,
    IncidentRepository,
    RateLimitRepository,
    RefreshTokenRepository,
    SessionRepository,
    TicketRepository,
)
from shared.audit import record_audit
from shared.db.uow import SqlAlchemyUnitOfWork


class IdentityUnitOfWork(SqlAlchemyUnitOfWork):
    individuals: IndividualRepository
    credentials: CredentialRepository
    documents: DocumentRepository
    renewals: RenewalRepository
    flags: FlagRepository
    roles: RoleRepository
    representatives: RepresentativeRepository
    clients: ClientRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    codes: AuthorizationCodeRepository
    tickets: TicketRepository
    incidents: IncidentRepository
    rate_limits: RateLimitRepository

    _deferred: list[tuple[str, str | None, dict[str, Any] | None, str | None, datetime]] | None = None

    def defer_audits(self) -> None:
        """Append the audit records at commit instead of at once.

        Appending takes the audit chain's lock until the transaction ends; deferring keeps that
        window short for requests that do more work after auditing (token issuance).
        """
        self._deferred = []

    async def audit(self, action: str, subject: str | None, details: dict[str, Any] | None = None, *,
                    actor: str | None = None) -> str:
        if self._deferred is None:
            return await super().audit(action, subject, details, actor=actor)
        self._deferred.append((action, subject, details, actor, self.clock.now()))
        return ""

    async def commit(self) -> None:
        deferred, self._deferred = self._deferred or [], None
        for action, subject, details, actor, at in deferred:
            await record_audit(self.session, self.tables.audit_log, action=action, subject=subject, at=at,
                               details=details, actor=actor)
        await super().commit()

    def _on_open(self) -> None:
        self._deferred = None
        s = self.session
        self.individuals = IndividualRepository(s)
        self.credentials = CredentialRepository(s)
        self.documents = DocumentRepository(s)
        self.renewals = RenewalRepository(s)
        self.flags = FlagRepository(s)
        self.roles = RoleRepository(s)
        self.representatives = RepresentativeRepository(s)
        self.clients = ClientRepository(s)
        self.sessions = SessionRepository(s)
        self.refresh_tokens = RefreshTokenRepository(s)
        self.codes = AuthorizationCodeRepository(s)
        self.tickets = TicketRepository(s)
        self.incidents = IncidentRepository(s)
        self.rate_limits = RateLimitRepository(s)
