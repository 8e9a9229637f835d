"""The registry's holding-limit API: GET /v1/holding-limits/{entity_id}/headroom?vintage=Y.

Called at bid entry with the bidding representative's own access token (the registry answers an
entity's representatives); a failure never blocks bidding: the declared headroom is used and the
registry enforces the holding limit again when it delivers (§95920(b)(4), §95912(i)(4)).
"""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger(__name__)


class RegistryHoldingLimits:
    def __init__(self, base_url: str, *, timeout_seconds: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    async def headroom(self, entity_id: str, vintage: int, bearer: str | None) -> int | None:
        if not bearer:
            return None
        url = f"{self.base_url}/v1/holding-limits/{entity_id}/headroom"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(url, params={"vintage": vintage},
                                            headers={"Authorization": f"Bearer {bearer}"})
            if response.status_code != 200:
                log.warning("registry headroom for %s: HTTP %s", entity_id, response.status_code)
                return None
            value = response.json().get("headroom")
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("registry headroom for %s unavailable: %s", entity_id, exc)
            return None
