"""Exchange clearing holding accounts (§95921(d), (h)) and documentation requests (§95921(c))."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


def _exchange(world) -> dict:
    return world.spot(transaction_type="exchange", exchange="ICE Futures US", contract_code="CAX26",
                      close_of_trading_date=world.clock.now().date().isoformat(), agreement_date=None,
                      expected_termination_date=None)


async def _through_clearing(world, source, destination: str, quantity: int, *, approve: bool = True) -> dict:
    """Submit, confirm (no acceptance: §95921(d)(3)) and approve a transfer to or from a clearing account."""
    transaction = _exchange(world) if source.holding != destination else None
    t = await world.proposed(source, destination, quantity=quantity, transaction=transaction)
    r = await world.post(source.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "awaiting_approval", r.text
    if approve:
        assert (await world.approve(t["transfer_id"])).status_code == 200
    return t


async def _clearing(world):
    return await world.party(holding_type="exchange_clearing_holding", entity_type="clearing_organization")


async def test_instruments_received_by_a_clearing_account_must_leave_within_five_days(world):
    clearing, seller, buyer = await _clearing(world), await world.party(), await world.party()
    first = await _through_clearing(world, seller, clearing.holding, 1000)
    await world.wait_status(first["transfer_id"], "recorded")
    world.clock.advance(timedelta(days=1))
    second = await _through_clearing(world, seller, clearing.holding, 300)
    await world.wait_status(second["transfer_id"], "recorded")
    out = await _through_clearing(world, clearing, buyer.holding, 1100)  # the oldest receipt leaves first
    await world.wait_status(out["transfer_id"], "recorded")

    r = await world.get(clearing.primary, f"/v1/clearing-accounts/{clearing.holding}/receipts")
    assert r.status_code == 200
    assert [(x["quantity"], x["remaining"]) for x in r.json()] == [(1000, 0), (300, 200)]
    assert (await world.get(buyer.primary, f"/v1/clearing-accounts/{clearing.holding}/receipts")).status_code == 404

    world.clock.advance(timedelta(days=5, seconds=1))  # §95921(d)(2): five days after the second receipt
    await world.sweep()
    notices = [n for n in await world.notifications(clearing.alternates[1]) if n["kind"] == "clearing.receipt_overdue"]
    assert len(notices) == 1 and "200 instrument(s)" in notices[0]["message"]
    officer, roles = world.eo()
    assert any(n["kind"] == "clearing.receipt_overdue" for n in await world.notifications(officer, roles))
    r = await world.get(clearing.primary, f"/v1/clearing-accounts/{clearing.holding}/receipts")
    assert [x["overdue_flagged_at"] is not None for x in r.json()] == [False, True]


async def test_a_holding_limit_violation_from_a_clearing_transfer_blocks_transfers_to_others(world):
    clearing = await _clearing(world)
    buyer, other = await world.party(compliance=True), await world.party()
    t = await _through_clearing(world, clearing, buyer.holding, 500)
    await world.wait_status(t["transfer_id"], "recorded")
    officer, roles = world.eo()
    r = await world.post(officer, f"/v1/transfers/{t['transfer_id']}/deficiencies",
                         {"kind": "holding_limit", "responsible": "destination",
                          "problem": "the receipt put the buyer over its holding limit"}, roles)
    assert r.status_code == 201, r.text
    assert any(n["kind"] == "clearing.transfers_blocked" for n in await world.notifications(buyer.primary))

    r = await world.post(buyer.primary, "/v1/transfers", world.request(buyer, other.holding))
    assert r.status_code == 409 and r.json()["error"]["code"] == "transfers_blocked_pending_investigation"
    own = world.request(buyer, buyer.compliance, transaction=world.spot(price="0", zero_price_reason="B",
                                                                        agreement=None))
    r = await world.post(buyer.primary, "/v1/transfers", own)  # its own compliance account stays allowed
    assert r.status_code == 201, r.text

    r = await world.post(buyer.primary, f"/v1/entities/{buyer.entity_id}/clearing-block/lift",
                         {"determination": "x"})
    assert r.status_code == 403
    r = await world.post(officer, f"/v1/entities/{buyer.entity_id}/clearing-block/lift",
                         {"determination": "cause: exchange delivery of a stale order; no manipulation"}, roles)
    assert r.status_code == 200 and r.json()["blocks_lifted"] == 1
    r = await world.post(buyer.primary, "/v1/transfers", world.request(buyer, other.holding))
    assert r.status_code == 201


async def test_a_failed_clearing_transfer_needs_the_operators_notice_within_three_days(world):
    clearing, buyer = await _clearing(world), await world.party()
    world.registry.refuse_move[buyer.holding] = ("holding_limit_exceeded", "over the limit")
    t = await _through_clearing(world, clearing, buyer.holding, 800)
    await world.wait_status(t["transfer_id"], "denied")
    r = await world.get(clearing.primary, f"/v1/clearing-accounts/{clearing.holding}/failures")
    [failure] = r.json()
    due = datetime.fromisoformat(failure["notice_due_at"])
    assert due - datetime.fromisoformat(failure["failed_at"]) == timedelta(days=3)  # §95921(d)(4)
    assert any(n["kind"] == "clearing.failure_notice_due" for n in await world.notifications(clearing.primary))

    world.clock.advance(timedelta(days=3, seconds=1))
    await world.sweep()
    officer, roles = world.eo()
    assert any(n["kind"] == "clearing.failure_notice_overdue" for n in await world.notifications(officer, roles))
    r = await world.post(buyer.primary, f"/v1/clearing-failures/{failure['id']}/notice", {"notice": "x"})
    assert r.status_code == 403
    r = await world.post(clearing.alternates[0], f"/v1/clearing-failures/{failure['id']}/notice",
                         {"notice": "the buyer's holding limit was exceeded; the position was liquidated"})
    assert r.status_code == 200 and r.json()["late"] is True
    r = await world.post(clearing.alternates[0], f"/v1/clearing-failures/{failure['id']}/notice", {"notice": "y"})
    assert r.status_code == 409


async def test_documentation_is_requested_uploaded_within_five_days_and_kept_confidential(world):
    seller, buyer = await world.party(), await world.party()
    done = await world.recorded(seller, buyer)
    tid = done["transfer_id"]
    officer, roles = world.eo()
    r = await world.post(seller.primary, f"/v1/transfers/{tid}/documentation-requests",
                         {"party": "source", "description": "x"})
    assert r.status_code == 403
    r = await world.post(officer, f"/v1/transfers/{tid}/documentation-requests",
                         {"party": "source", "description": "the transaction agreement and its confirmation"}, roles)
    assert r.status_code == 201, r.text
    request = r.json()
    requested = datetime.fromisoformat(request["requested_at"])
    assert datetime.fromisoformat(request["due_at"]) - requested == timedelta(days=5)  # §95921(c)
    assert any(n["kind"] == "documentation.requested" for n in await world.notifications(seller.alternates[0]))

    pdf = b"%PDF-1.7 agreement MSA-2026-117 " + b"x" * 2048
    async with world.client(buyer.primary) as c:  # the other party cannot answer for the source
        r = await c.post(f"/v1/documentation-requests/{request['id']}/documents",
                         files={"file": ("msa.pdf", pdf, "application/pdf")})
    assert r.status_code == 403
    async with world.client(seller.alternates[0]) as c:
        r = await c.post(f"/v1/documentation-requests/{request['id']}/documents",
                         files={"file": ("msa.pdf", pdf, "application/pdf")})
    assert r.status_code == 201, r.text
    document = r.json()
    assert document["late"] is False and document["size"] == len(pdf)

    r = await world.get(officer, f"/v1/documentation-requests/{request['id']}", roles)
    assert r.json()["status"] == "fulfilled" and r.json()["documents"][0]["sha256"] == document["sha256"]
    r = await world.get(officer, f"/v1/documents/{document['id']}", roles)
    assert r.status_code == 200 and r.content == pdf
    for outsider in (buyer.primary, world.uid("ind")):  # §95921(c)(2): confidential
        assert (await world.get(outsider, f"/v1/documentation-requests/{request['id']}")).status_code == 404
        assert (await world.get(outsider, f"/v1/documents/{document['id']}")).status_code == 404


async def test_unanswered_documentation_requests_are_flagged_and_clearing_holders_get_ten_days(world):
    clearing, seller = await _clearing(world), await world.party()
    t = await _through_clearing(world, seller, clearing.holding, 100)
    await world.wait_status(t["transfer_id"], "recorded")
    officer, roles = world.eo()
    asked = {}
    for party in ("source", "destination"):
        r = await world.post(officer, f"/v1/transfers/{t['transfer_id']}/documentation-requests",
                             {"party": party, "description": "exchange transaction records"}, roles)
        asked[party] = r.json()
    span = {p: datetime.fromisoformat(x["due_at"]) - datetime.fromisoformat(x["requested_at"])
            for p, x in asked.items()}
    assert span == {"source": timedelta(days=5), "destination": timedelta(days=10)}  # §95921(c), (h)(1)
    world.clock.advance(timedelta(days=5, seconds=1))
    await world.sweep()
    overdue = {n["message"].split()[2] for n in await world.notifications(officer, roles)
               if n["kind"] == "documentation.overdue"}
    assert asked["source"]["id"] in overdue and asked["destination"]["id"] not in overdue
    async with world.client(world.uid("ind")) as c:
        r = await c.post(f"/v1/documentation-requests/{asked['source']['id']}/documents",
                         files={"file": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 403
