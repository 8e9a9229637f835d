"""§95912(j): the window may be delayed by at most an hour, rescheduled, or cancelled; (g) binding bids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.contracts.topics import Topic
from shared.testing.server import eventually

pytestmark = pytest.mark.integration


async def _bidder(w, auction_id: str):
    entity = await w.entity(representatives={w.uid("bea"): "primary"})
    rep = next(iter(entity.representatives))
    await w.known(entity)
    await w.fsa_information(rep)
    await w.approved_bidder(auction_id, entity, rep)
    await w.guarantee(auction_id, entity, "500000.00")
    await w.wait_guarantee(auction_id, entity, "500000.00")
    return entity, rep


async def test_the_opening_is_delayed_by_at_most_one_hour_in_all(world, bus):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    entity, rep = await _bidder(w, auction_id)
    path = f"/v1/auctions/{auction_id}/bidding-window/delay"
    w.move_to(w.opens - timedelta(minutes=10))
    assert (await w.call("POST", path, w.admin(), {"minutes": 30, "reason": "x"})).status_code == 403
    delayed = (await w.call("POST", path, w.eo("CA"), {"minutes": 30, "reason": "network failure"},
                            expect=200)).json()
    assert delayed["bidding_window"]["opens_at"] == (w.opens + timedelta(minutes=30)).isoformat()
    assert delayed["bidding_window"]["closes_at"] == (w.closes + timedelta(minutes=30)).isoformat()
    r = await w.call("POST", path, w.eo("CA"), {"minutes": 31, "reason": "still down"})
    assert (r.status_code, w.code(r)) == (422, "delay_too_long")  # §95912(j)(1)
    w.move_to(w.opens + timedelta(minutes=5))
    assert w.code(await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)) == "bidding_window_closed"
    w.move_to(w.opens + timedelta(minutes=31))
    assert (await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)).status_code == 201
    w.move_to(w.closes + timedelta(minutes=10))  # still inside the delayed window
    assert (await w.bid(auction_id, rep, entity, "current", "31.00", 1_000)).status_code == 201
    r = await w.call("POST", f"/v1/auctions/{auction_id}/clearing", w.admin())
    assert (r.status_code, w.code(r)) == (409, "bidding_window_not_closed")
    [event] = await bus.read(Topic.AUCTION, lambda e: e.event_type == "auction.BiddingWindowRescheduled"
                             and e.payload["auction_id"] == auction_id)
    assert event.payload["kind"] == "delayed"


async def test_a_rescheduled_window_voids_open_bids_and_takes_no_new_application_or_guarantee(world, bus):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    entity, rep = await _bidder(w, auction_id)
    w.move_to(w.opens + timedelta(minutes=15))
    assert (await w.bid(auction_id, rep, entity, "current", "30.00", 2_000)).status_code == 201
    path = f"/v1/auctions/{auction_id}/bidding-window/reschedule"
    too_late = {"bidding_opens_at": (w.opens + timedelta(days=15)).isoformat(),
                "bidding_closes_at": (w.closes + timedelta(days=15)).isoformat(), "reason": "systems failure"}
    r = await w.call("POST", path, w.eo("CA"), too_late)
    assert (r.status_code, w.code(r)) == (422, "reschedule_too_late")  # §95912(j)(3)(A)
    new_opens, new_closes = w.opens + timedelta(days=7), w.closes + timedelta(days=7)
    rescheduled = (await w.call("POST", path, w.eo("CA"), {
        "bidding_opens_at": new_opens.isoformat(), "bidding_closes_at": new_closes.isoformat(),
        "reason": "systems failure"}, expect=200)).json()
    assert rescheduled["auction_date"] == "2027-03-17" and rescheduled["bidding_window"]["rescheduled"] is True
    bids = (await w.call("GET", f"/v1/auctions/{auction_id}/bids?entity_id={entity.entity_id}", w.token(rep),
                         expect=200)).json()
    assert [b["status"] for b in bids] == ["withdrawn"]  # the interrupted window's bids are void
    assert w.code(await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)) == "bidding_window_closed"

    other = await w.entity(representatives={w.uid("olga"): "primary"})
    await w.known(other)
    r = await w.call("POST", f"/v1/auctions/{auction_id}/applications", w.token(next(iter(other.representatives))),
                     w.application_body(other))
    assert (r.status_code, w.code(r)) == (409, "auction_rescheduled")  # §95912(j)(3)(B)
    await w.guarantee(auction_id, entity, "900000.00")  # §95912(j)(3)(D): no amendment

    audit = w.service.runtime.tables.audit_log

    async def refused() -> bool:
        async with w.service.runtime.uow() as uow:
            rows = (await uow.session.execute(select(audit.c.action)
                                              .where(audit.c.action == "guarantee.amendment_refused"))).all()
        return bool(rows)
    await eventually(refused, timeout=20, interval=0.1)
    view = (await w.call("GET", f"/v1/auctions/{auction_id}/applications/{entity.entity_id}", w.token(rep))).json()
    assert view["bidding_terms"]["bid_guarantee"]["amount"] == "500000.00"
    w.move_to(new_opens + timedelta(minutes=1))
    assert (await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)).status_code == 201
    [event] = await bus.read(Topic.AUCTION, lambda e: e.event_type == "auction.BiddingWindowRescheduled"
                             and e.payload["auction_id"] == auction_id)
    assert event.payload["kind"] == "rescheduled" and event.payload["auction_date"] == "2027-03-17"


async def test_a_cancelled_window_takes_no_bid_and_is_never_cleared(world, bus):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    entity, rep = await _bidder(w, auction_id)
    w.move_to(w.opens + timedelta(minutes=1))
    assert (await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)).status_code == 201
    path = f"/v1/auctions/{auction_id}/cancellation"
    assert (await w.call("POST", path, w.admin(), {"reason": "x"})).status_code == 403
    cancelled = (await w.call("POST", path, w.eo("CA"), {"reason": "cannot be rescheduled in time"},
                              expect=200)).json()
    assert cancelled["phase"] == "cancelled"
    assert w.code(await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)) == "bidding_window_closed"
    w.move_to(w.closes + timedelta(minutes=1))
    r = await w.call("POST", f"/v1/auctions/{auction_id}/clearing", w.admin())
    assert (r.status_code, w.code(r)) == (409, "auction_cancelled")
    [event] = await bus.read(Topic.AUCTION, lambda e: e.event_type == "auction.AuctionCancelled"
                             and e.payload["auction_id"] == auction_id)
    assert event.payload["kind"] == "window_cancelled"


async def test_results_the_executive_officer_does_not_certify_are_not_sold(world, bus):
    w = world
    auction_id = await w.publish_auction(jurisdictions=("CA",))
    entity, rep = await _bidder(w, auction_id)
    w.move_to(w.opens + timedelta(minutes=1))
    assert (await w.bid(auction_id, rep, entity, "current", "30.00", 3_000)).status_code == 201
    w.move_to(w.closes)
    base = f"/v1/auctions/{auction_id}"
    r = await w.call("POST", f"{base}/certification", w.eo("CA"), {})
    assert (r.status_code, w.code(r)) == (409, "not_cleared")
    cleared = (await w.call("POST", f"{base}/clearing", w.admin(), expect=201)).json()
    assert cleared["result"]["current"]["settlement_price_usd"] == "30.00"
    r = await w.call("POST", f"{base}/certification", w.token("staff-eo-CA", "executive_officer:CA", mfa=False), {})
    assert (r.status_code, w.code(r)) == (401, "step_up_required")
    body = {"meets_requirements": False, "note": "irregular conduct"}
    assert (await w.call("POST", f"{base}/certification", w.eo("CA"), body, expect=200)).json()["phase"] == \
        "not_certified"
    assert (await w.call("GET", f"{base}/results", None)).status_code == 404
    r = await w.call("POST", f"{base}/certification", w.eo("CA"), {})
    assert w.code(r) == "already_certified"
    [event] = await bus.read(Topic.AUCTION, lambda e: e.event_type == "auction.AuctionCancelled"
                             and e.payload["auction_id"] == auction_id)
    assert event.payload["kind"] == "not_certified"
