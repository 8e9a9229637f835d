"""Revoking credentials: sessions end here, tokens die everywhere via CredentialsRevoked.

Every service's runtime consumes identity.credentials.v1 and refuses tokens of a revoked subject
issued at or before `revoked_before` (shared/runtime.py) within seconds.
"""

from __future__ import annotations

from datetime import datetime

from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.domain.credentials import MILLISECOND, to_millis
from shared.contracts.identity import CredentialsRevoked


async def revoke_individuals(
    uow: IdentityUnitOfWork,
    individual_ids: list[str],
    *,
    now: datetime,
    reason: str,
    must_reset: bool = False,
    incident_id: str | None = None,
) -> datetime:
    """End the sessions of these individuals and void every token issued to them so far.

    One instant for all of them, so the one event says the same as each person's own record.
    """
    records = [r for r in [await uow.credentials.get(i) for i in sorted(set(individual_ids))] if r is not None]
    before = now
    for record in records:
        before = max(before, record.state.revocation_floor(now))
    for record in records:
        record.state.tokens_valid_after = before
        extra = {}
        if must_reset:
            record.state.must_reset = True
            extra = {"totp_pending_enc": None}
        await uow.credentials.save(record, **extra)
        await uow.sessions.end_all_for(record.individual_id, at=now, reason=reason)
    await uow.publish(
        CredentialsRevoked(individual_ids=sorted(set(individual_ids)), revoked_before=before, reason=reason,
                           incident_id=incident_id)
    )
    return before


async def revoke_client(uow: IdentityUnitOfWork, client_id: str, *, now: datetime, reason: str) -> datetime:
    """A machine client's tokens (sub "client:<id>") are revoked the same way as a person's.

    Machine tokens are not tracked one by one (issuance writes nothing): a token's iat is at most
    max(now, previous revocation + 1 ms), so that bound covers every token issued so far.
    """
    row = await uow.clients.get(client_id, lock=True)
    assert row is not None
    floor = to_millis(now)
    if row["tokens_valid_after"] is not None:
        floor = max(floor, row["tokens_valid_after"] + MILLISECOND)
    await uow.clients.update(client_id, tokens_valid_after=floor)
    await uow.publish(CredentialsRevoked(individual_ids=[f"client:{client_id}"], revoked_before=floor, reason=reason))
    return floor
