"""Ports of the auction service's use cases (implemented in adapters/)."""

from __future__ import annotations

from typing import Protocol


class HoldingLimits(Protocol):
    """The registry's view of an entity's holding-limit headroom (§95920), if it can be had."""

    async def headroom(self, entity_id: str, vintage: int, bearer: str | None) -> int | None:
        """Allowances the entity may still acquire of `vintage`; None when unknown or unreachable."""
        ...


class DeclaredHoldingLimits:
    """No registry configured: the headroom the entity declared in its application is used."""

    async def headroom(self, entity_id: str, vintage: int, bearer: str | None) -> int | None:
        return None
