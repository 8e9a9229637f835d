"""Learning who represents which entity from registry.AccountChanged (§95832)."""

from __future__ import annotations

from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from shared.contracts.registry import AccountChanged
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.envelope import Envelope


async def on_account_changed(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    """Consumer handler: must not commit (the consumer commits the inbox row with the effect)."""
    assert isinstance(event, AccountChanged) and isinstance(uow, IdentityUnitOfWork)
    if event.owner_kind != "entity":
        return
    applied = await uow.representatives.replace_account(
        account_number=event.account_number, entity_id=event.entity_id, jurisdiction=event.jurisdiction,
        status=event.status, changed_at=envelope.occurred_at,
        reps=[(r.individual_id, r.role) for r in event.representatives],
    )
    if applied:
        await uow.audit("representatives.learned", event.entity_id,
                        {"account_number": event.account_number, "event_id": str(envelope.event_id),
                         "representatives": [r.individual_id for r in event.representatives]})
