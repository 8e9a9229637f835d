"""Who reads the ledger reconciliation (the operations dashboard's panel) and who runs the operations."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def _client(registry, roles: tuple[str, ...]) -> httpx.AsyncClient:
    now = registry.clock.now().timestamp()  # issued at the service's clock, however long collection took
    return registry.service.client(registry.issuer.mint("staff", roles=roles, issued_at=now, auth_time=now))


async def test_the_market_monitor_reads_the_reconciliation_but_runs_nothing(registry):
    async with _client(registry, ("market_monitor:QC",)) as client:
        r = await client.get("/v1/ops/reconciliation")
        assert r.status_code == 200, r.text
        assert r.json()["consistent"] is True and r.json()["problems"] == []
        assert (await client.post("/v1/ops/revocation-sweep")).status_code == 403


@pytest.mark.parametrize("roles", [("individual",), ("auction_administrator:CA",), ("registrar:CA",)])
async def test_other_roles_may_not_read_the_reconciliation(registry, roles):
    async with _client(registry, roles) as client:
        assert (await client.get("/v1/ops/reconciliation")).status_code == 403
