"""Transfer request deficiencies (§95921(i)): before recording (resubmit within the time limit, or it
lapses) and after recording (five business days on the jurisdiction's holiday calendar, then reversal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts.registry import ExecuteMove
from shared.testing.server import eventually

pytestmark = pytest.mark.integration

# Monday 21 December 2026, 09:00 in California: Friday the 25th is a holiday (configurable calendar)
CLOCK_START = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
ADMIN = ("accounts_administrator:CA",)


async def _report(world, transfer_id: str, **body):
    payload = {"kind": "information", "responsible": "source", "problem": "the price does not match the "
               "confirmation of the agreement", "fields": ["price"], **body}
    return await world.post(world.uid("adm"), f"/v1/transfers/{transfer_id}/deficiencies", payload, ADMIN)


async def test_after_recording_the_parties_get_five_business_days_then_the_eo_may_reverse(world):
    world.clock.set(CLOCK_START)
    seller, buyer = await world.party(), await world.party()
    done = await world.recorded(seller, buyer)
    tid = done["transfer_id"]
    r = await _report(world, tid)
    assert r.status_code == 201, r.text
    deficiency = r.json()
    assert deficiency["stage"] == "after_recording"
    # Tue 22, Wed 23, Thu 24, (Fri 25 holiday, weekend), Mon 28, Tue 29: the end of Tue 29 in California
    assert deficiency["correct_by"] == "2026-12-30T08:00:00Z"
    detail = [n for n in await world.notifications(seller.primary, transfer_id=tid)
              if n["kind"] == "transfer.deficiency_detail"]
    assert detail and "price does not match" in detail[0]["message"]  # §95921(i)(2)(B): the submitter
    officer, roles = world.eo()
    assert any(n["kind"] == "transfer.deficient" for n in await world.notifications(officer, roles, transfer_id=tid))

    reversal = {"deficiency_id": deficiency["deficiency_id"], "reason": "not corrected"}
    r = await world.post(officer, f"/v1/transfers/{tid}/reversal", reversal, roles)
    assert r.status_code == 409 and r.json()["error"]["code"] == "reversal_not_yet_allowed"

    world.clock.set(datetime(2026, 12, 30, 8, 0, 1, tzinfo=UTC))
    r = await world.post(seller.primary, f"/v1/deficiencies/{deficiency['deficiency_id']}/correct",
                         {"note": "too late"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "correction_window_closed"
    await world.sweep()  # (the background sweep may be the one that gets there)

    async def lapsed() -> bool:
        return (await world.transfer(tid))["deficiencies"][0]["status"] == "lapsed"

    await eventually(lapsed)
    assert any(n["kind"] == "transfer.deficiency_lapsed"
               for n in await world.notifications(officer, roles, transfer_id=tid))
    r = await world.post(seller.primary, f"/v1/transfers/{tid}/reversal", reversal)
    assert r.status_code == 403
    r = await world.post(officer, f"/v1/transfers/{tid}/reversal", reversal, roles)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reversing"
    reversed_ = await world.wait_status(tid, "reversed")
    [move] = world.registry.sent(ExecuteMove, request_id=f"{tid}:reversal")
    assert (move.source_account, move.destination_account, move.reason) == (buyer.holding, seller.holding, "reversal")
    assert reversed_["deficiencies"][0]["status"] == "reversed"


async def test_a_deficiency_corrected_in_time_prevents_the_reversal(world):
    world.clock.set(CLOCK_START)
    seller, buyer = await world.party(), await world.party()
    done = await world.recorded(seller, buyer)
    tid = done["transfer_id"]
    deficiency = (await _report(world, tid, kind="holding_limit", responsible="destination",
                                problem="the destination is over its holding limit")).json()
    # §95921(i)(2)(C): the primary representative of the destination account is told
    detail = [n for n in await world.notifications(buyer.primary, transfer_id=tid)
              if n["kind"] == "transfer.deficiency_detail"]
    assert detail and "holding limit" in detail[0]["message"]
    path = f"/v1/deficiencies/{deficiency['deficiency_id']}/correct"
    r = await world.post(seller.alternates[0], path, {"note": "sold the excess"})
    assert r.status_code == 403  # the destination is responsible
    world.clock.advance(timedelta(days=3))
    r = await world.post(buyer.alternates[0], path, {"note": "sold 2,000 allowances on 23 December"})
    assert r.status_code == 200 and r.json()["status"] == "corrected"
    world.clock.advance(timedelta(days=10))
    officer, roles = world.eo()
    r = await world.post(officer, f"/v1/transfers/{tid}/reversal",
                         {"deficiency_id": deficiency["deficiency_id"], "reason": "x"}, roles)
    assert r.status_code == 409 and r.json()["error"]["code"] == "deficiency_corrected"
    assert (await world.transfer(tid))["status"] == "recorded"


async def test_before_recording_the_request_stops_until_a_corrected_resubmission(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.to_approval(seller, buyer)
    tid = t["transfer_id"]
    r = await world.post(seller.primary, f"/v1/transfers/{tid}/deficiencies",
                         {"kind": "other", "responsible": "source", "problem": "x"})
    assert r.status_code == 403  # only the accounts administrator or the Executive Officer
    r = await _report(world, tid)
    assert r.status_code == 201 and r.json()["stage"] == "before_recording"
    assert (await world.transfer(tid))["status"] == "deficient"
    r = await world.approve(tid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "deficiency_open"
    # §95921(i)(1)(A)-(B): the parties, the EO, and the responsible entity with the specific problem
    assert any(n["kind"] == "transfer.deficiency_detail"
               for n in await world.notifications(seller.alternates[1], transfer_id=tid))
    assert not any(n["kind"] == "transfer.deficiency_detail"
                   for n in await world.notifications(buyer.primary, transfer_id=tid))
    officer, roles = world.eo()
    assert any(n["kind"] == "transfer.deficient" for n in await world.notifications(officer, roles, transfer_id=tid))

    bad = world.spot(price=None)
    r = await world.post(seller.alternates[0], f"/v1/transfers/{tid}/resubmit", {"transaction": bad})
    assert r.status_code == 422 and r.json()["error"]["code"] == "transfer_request_invalid"
    r = await world.post(buyer.primary, f"/v1/transfers/{tid}/resubmit", {"transaction": world.spot()})
    assert r.status_code == 403
    r = await world.post(seller.alternates[0], f"/v1/transfers/{tid}/resubmit",
                         {"transaction": world.spot(price="30.05")})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_approval" and r.json()["terms"]["price"] == "30.05"
    assert (await world.approve(tid)).status_code == 200
    done = await world.wait_status(tid, "recorded")
    assert [d["status"] for d in done["deficiencies"]] == ["corrected"]


async def test_an_uncorrected_request_lapses_at_the_time_limit(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    tid = t["transfer_id"]
    assert (await _report(world, tid, responsible="source")).status_code == 201
    world.clock.advance(timedelta(days=3, seconds=1))  # §95921(i)(1)(C): within the (a)(1)(C) time limit
    r = await world.post(seller.alternates[0], f"/v1/transfers/{tid}/resubmit", {"transaction": world.spot()})
    assert r.status_code == 409  # whichever comes first: this request or the background sweep
    assert r.json()["error"]["code"] in ("correction_window_closed", "transfer_state_conflict")
    body = await world.wait_status(tid, "expired")  # §95921(i)(1)(D): withdraw or submit anew
    assert body["deficiencies"][0]["status"] == "closed"
    kinds = {n["kind"] for n in await world.notifications(seller.primary, transfer_id=tid)}
    assert "transfer.expired" in kinds
