"""Deadlines of §95921(a), driven by a ManualClock given to the running service. Days are calendar days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.contracts.registry import ReleaseReservation
from shared.testing.server import eventually

pytestmark = pytest.mark.integration

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


async def _released(world, transfer_id: str) -> None:
    await eventually(lambda: world.registry.sent(ReleaseReservation, reservation_id=transfer_id))


async def test_an_unconfirmed_request_expires_after_two_days_and_its_reservation_is_released(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    world.clock.advance(2 * DAY - SECOND)
    report = await world.sweep()
    assert t["transfer_id"] not in report["expired"]  # §95921(a)(1)(B): still within two days
    world.clock.advance(2 * SECOND)
    report = await world.sweep()
    expired = await world.wait_status(t["transfer_id"], "expired")
    assert expired["outcome"]["code"] == "deadline_passed"
    await _released(world, t["transfer_id"])
    kinds = [n["kind"] for n in await world.notifications(buyer.primary, transfer_id=t["transfer_id"])]
    assert "transfer.expired" in kinds


async def test_a_late_confirmation_is_refused_and_the_request_expires(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    world.clock.advance(2 * DAY + SECOND)
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 409
    assert r.json()["error"]["code"] in ("confirmation_window_closed", "transfer_state_conflict")
    await world.wait_status(t["transfer_id"], "expired")
    await _released(world, t["transfer_id"])


async def test_the_destination_has_only_what_remains_of_three_days(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    world.clock.advance(2 * DAY - timedelta(minutes=5))  # confirmed just inside the two days
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 200, r.text
    world.clock.advance(DAY + timedelta(minutes=10))  # 3 days and 5 minutes after submission
    r = await world.post(buyer.primary, f"/v1/transfers/{t['transfer_id']}/accept")
    assert r.status_code == 409  # §95921(a)(1)(C)
    assert r.json()["error"]["code"] in ("acceptance_window_closed", "transfer_state_conflict")
    body = await world.wait_status(t["transfer_id"], "expired")
    assert body["confirmed_by"] == seller.alternates[0]
    await _released(world, t["transfer_id"])


async def test_the_background_sweeper_expires_requests_by_itself(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 200
    world.clock.advance(3 * DAY + SECOND)  # nobody calls the sweep endpoint: the runtime's job does it
    await world.wait_status(t["transfer_id"], "expired")
    await _released(world, t["transfer_id"])


async def test_completion_more_than_three_days_after_submission_is_flagged(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.to_approval(seller, buyer, transaction=world.spot(expected_termination_date="not_specified"))
    world.clock.advance(4 * DAY)  # no deadline runs once accepted; the Executive Officer decides late
    r = await world.approve(t["transfer_id"])
    assert r.status_code == 200, r.text
    done = await world.wait_status(t["transfer_id"], "recorded")
    assert done["flags"] == ["completed_more_than_3_days_after_submission"]  # §95921(a)(3)(A)
    officer, roles = world.eo()
    flagged = [n for n in await world.notifications(officer, roles, transfer_id=t["transfer_id"])
               if n["kind"] == "transfer.recorded"]
    assert flagged and "§95921(a)(3)" in flagged[0]["message"]


async def test_completion_more_than_three_days_after_the_expected_termination_date_is_flagged(world):
    seller, buyer = await world.party(), await world.party()
    today = world.clock.now().date()
    forward = world.spot(transaction_type="otc_forward", agreement_date=(today - timedelta(days=30)).isoformat(),
                         expected_termination_date=(today - timedelta(days=4)).isoformat(), further_transfers=False,
                         other_products=False, pricing_method="fixed")
    t = await world.to_approval(seller, buyer, transaction=forward)
    assert (await world.approve(t["transfer_id"])).status_code == 200
    done = await world.wait_status(t["transfer_id"], "recorded")
    assert done["flags"] == ["completed_more_than_3_days_after_expected_termination"]  # §95921(a)(3)(B)


async def test_a_reservation_that_never_comes_expires_the_request(world):
    seller, buyer = await world.party(), await world.party()
    world.registry.silent.add(seller.holding)
    created = await world.submit(seller, buyer.holding)
    world.clock.advance(2 * DAY + SECOND)
    await world.sweep()
    await world.wait_status(created["transfer_id"], "expired")
    await _released(world, created["transfer_id"])
