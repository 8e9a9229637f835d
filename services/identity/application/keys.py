"""Signing-key rotation without downtime (see domain/keys.py for the schedule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.identity.application.services import IdentityServices


async def rotate_signing_key(svc: IdentityServices, *, by: str, lead_seconds: int | None = None) -> dict[str, Any]:
    """Publish a new key now; it signs after `lead_seconds` (default from the settings)."""
    now = svc.clock.now()
    lead = svc.settings.key_publish_lead_seconds if lead_seconds is None else max(lead_seconds, 0)
    async with svc.uow_factory() as uow:
        kid = await svc.keyring.add_key(uow.session, signs_from=now + timedelta(seconds=lead), now=now,
                                        created_by=by)
        await uow.audit("signing_key.rotated", kid, {"signs_from": (now + timedelta(seconds=lead)).isoformat()},
                        actor=by)
        await uow.commit()
    await svc.keyring.ensure_fresh(force=True)
    return {"kid": kid, "signs_from": now + timedelta(seconds=lead), "keys": svc.keyring.describe(now)}
