"""GET /v1/ops/statistics: the operations dashboard's figures, per jurisdiction, over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)


@pytest.fixture
def world(world):
    """Tokens issued at the service's (manual) clock, so they stay valid after the clock moves on."""

    def token(subject: str, roles: tuple[str, ...] = ("individual",), *, stale: bool = False, mfa: bool = True) -> str:
        now = world.clock.now().timestamp()
        return str(world.issuer.mint(subject, roles=roles, mfa=mfa, issued_at=now,
                                     auth_time=now - (900 if stale else 0)))

    world.token = token
    return world


async def _stats(world, roles: tuple[str, ...], **params):
    return await world.get(world.uid("staff"), "/v1/ops/statistics", roles, **params)


async def test_counts_requests_by_state_and_age_and_the_deadlines_of_the_next_day_in_the_callers_jurisdiction(
        world):
    seller, buyer = await world.party(), await world.party()
    quebec_seller, quebec_buyer = await world.party(jurisdiction="QC"), await world.party(jurisdiction="QC")
    old = await world.proposed(seller, buyer.holding)
    world.clock.advance(30 * HOUR)  # `old` is 1-2 days old; its confirmation is due in 18 h
    accepted = await world.proposed(seller, buyer.holding)
    r = await world.post(seller.alternates[0], f"/v1/transfers/{accepted['transfer_id']}/confirm")
    assert r.status_code == 200, r.text  # awaiting acceptance, due in 72 h: not in the next 24 h
    await world.submit(quebec_seller, quebec_buyer.holding)

    r = await _stats(world, ("executive_officer:CA",))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["jurisdictions"] == ["CA"]
    assert body["by_state_and_age"]["proposed"] == {"lt_1d": 0, "1_2d": 1, "2_3d": 0, "gt_3d": 0}
    assert body["by_state_and_age"]["awaiting_acceptance"]["lt_1d"] == 1
    assert body["totals_by_state"]["proposed"] == 1  # the Québec request is not counted
    deadlines = body["deadlines_next_24h"]
    assert deadlines["counts"]["confirmation"] == 1
    assert deadlines["counts"]["acceptance"] == 0
    assert [d["transfer_id"] for d in deadlines["upcoming"]] == [old["transfer_id"]]

    monitor = await _stats(world, ("market_monitor:QC",))
    assert monitor.status_code == 200, monitor.text
    assert monitor.json()["jurisdictions"] == ["QC"]
    totals = monitor.json()["totals_by_state"]
    assert totals["reserving"] + totals["proposed"] == 1
    assert totals["awaiting_acceptance"] == 0


async def test_refuses_individuals_other_roles_and_other_jurisdictions(world):
    assert (await _stats(world, ("individual",))).status_code == 403
    assert (await _stats(world, ("auction_administrator:CA",))).status_code == 403
    r = await _stats(world, ("registrar:QC",), jurisdiction="CA")
    assert r.status_code == 403
    assert (await _stats(world, ("registrar:QC", "registrar:CA"), jurisdiction="CA")).json()["jurisdictions"] == ["CA"]
    async with world.service.client() as anonymous:
        assert (await anonymous.get("/v1/ops/statistics")).status_code == 401
