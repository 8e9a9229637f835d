"""The whole life of a joint CA/QC auction over HTTP with real tokens, the other services played on
the real bus: notice (§95912(c)) -> applications (d)-(e) -> guarantees (h) -> bidding window (g)
-> clearing and replay -> certification, winners' notices and public results (i) -> serials (i)(5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.contracts.auction import Money
from shared.contracts.financial import WinnerSettled
from shared.contracts.registry import MoveRecorded, SerialRange
from shared.contracts.topics import Topic
from shared.testing.server import eventually

pytestmark = pytest.mark.integration


async def test_a_joint_auction_goes_from_notice_to_certified_results_and_reported_serials(world, bus):
    w = world
    admin = w.admin
    # ---- §95912(c): the notice, at least 60 days before ------------------------------------------
    consignor = w.uid("ent-consignor")
    auction_id = await w.publish_auction(consignor=consignor)
    base = f"/v1/auctions/{auction_id}"
    notice = (await w.call("GET", base, None, expect=200)).json()  # public: no token
    assert notice["phase"] == "applications_open"
    assert notice["allowances_available"]["current"]["total"] == 100_000
    assert notice["allowances_available"]["current"]["by_jurisdiction"]["CA"]["consigned"] == 10_000
    assert consignor not in json.dumps(notice)  # consignors are not named
    assert notice["reserve_prices"] == {"CA": {"amount": "27.50", "currency": "USD"},
                                        "QC": {"amount": "36.00", "currency": "CAD"}}
    assert notice["deadlines"] == {"linked_quantities_until": "2027-02-08", "applications_until": "2027-02-08",
                                   "bid_guarantees_until": "2027-02-26", "payment_due_on": None}

    # ---- the registry, identity and the financial service, played on the bus ------------------------
    ca = await w.entity(jurisdiction="CA", representatives={w.uid("alice"): "primary", w.uid("aaron"): "alternate"},
                        name="Sierra Cement Co")
    qc = await w.entity(jurisdiction="QC", representatives={w.uid("quentin"): "primary"}, name="Aluminerie Boréal")
    alice, aaron = list(ca.representatives)
    quentin = next(iter(qc.representatives))
    holding_accounts = await w.auction_holding_accounts()
    await w.known(ca)
    await w.known(qc)
    for representative in (alice, quentin):
        await w.fsa_information(representative)  # §95912(d)(6)(B)

    # ---- §95912(d)-(e): applications, eligibility and participation ----------------------------------
    await w.approved_bidder(auction_id, ca, alice)
    await w.approved_bidder(auction_id, qc, quentin, currency="CAD", headroom=20_000)
    application = (await w.call("GET", f"{base}/applications/{ca.entity_id}", w.token(aaron), expect=200)).json()
    assert application["status"] == "approved"
    assert application["bidding_terms"]["purchase_limits"] == {"current": 15_000, "advance": 7_500}  # §95911(d)
    await w.guarantee(auction_id, ca, "600000.00")
    await w.guarantee(auction_id, qc, "700000.00", "CAD")
    await w.wait_guarantee(auction_id, ca, "600000.00")
    await w.wait_guarantee(auction_id, qc, "700000.00")

    w.move_to(datetime(2027, 2, 10, 17, tzinfo=UTC))
    assert (await w.call("GET", base, None)).json()["phase"] == "applications_closed"
    w.move_to(datetime(2027, 3, 9, 17, tzinfo=UTC))  # the business day before: the exchange rate
    rated = (await w.call("PUT", f"{base}/exchange-rate", admin(), {"cad_per_usd": "1.3500"}, expect=200)).json()
    assert rated["auction_reserve_price_usd"] == "27.50"  # max(27.50 USD, 36.00 CAD / 1.35 = 26.67 USD)

    # ---- §95912(g): the bidding window ---------------------------------------------------------------
    r = await w.bid(auction_id, alice, ca, "current", "28.00", 10_000)
    assert w.code(r) == "bidding_window_closed"  # not open yet
    w.move_to(w.opens + timedelta(minutes=1))
    assert (await w.call("GET", base, None)).json()["phase"] == "bidding_open"
    a = await w.bid(auction_id, alice, ca, "current", "28.00", 10_000)
    assert a.status_code == 201, a.text
    refusals = {
        ("current", "27.00", 1_000, "USD"): "below_reserve_price",  # §95911(c)
        ("current", "28.50", 6_000, "USD"): "purchase_limit_exceeded",  # 16,000 > 15,000 (§95911(d))
        ("current", "28.50", 1_500, "USD"): "not_in_lots",  # §95911(b)
        ("current", "28.005", 1_000, "USD"): "not_whole_cents",  # §95911(b)
        ("current", "28.50", 1_000, "CAD"): "currency_not_allowed",  # §95912(h)(2)
    }
    for (pool, price, quantity, currency), code in refusals.items():
        r = await w.bid(auction_id, alice, ca, pool, price, quantity, currency)
        assert r.status_code in (409, 422), r.text
        assert w.code(r) == code, r.text
    r = await w.bid(auction_id, alice, ca, "current", "28.50", 1_000, mfa=False)
    assert (r.status_code, w.code(r)) == (401, "step_up_required")
    r = await w.call("POST", f"{base}/bids", w.token(alice), {"entity_id": ca.entity_id, "pool": "current",
                                                               "price": 28.5, "currency": "USD", "quantity": 1000})
    assert (r.status_code, w.code(r)) == (422, "invalid_input")  # a float is never money
    b = await w.bid(auction_id, alice, ca, "advance", "27.60", 5_000)
    assert b.status_code == 201, b.text
    assert (await w.bid(auction_id, aaron, ca, "current", "40.00", 5_000)).status_code == 403  # no FSA information
    await w.fsa_information(aaron)
    assert (await w.bid(auction_id, aaron, ca, "current", "40.00", 5_000)).status_code == 201
    # §95912(h)(5)(C): 40×5,000 | 28×15,000 = 420,000 + Advance 27.60×7,000 = 193,200 > 600,000
    r = await w.call("PUT", f"{base}/bids/{b.json()['bid_id']}", w.token(alice), {"price": "27.60", "quantity": 7_000})
    assert (r.status_code, w.code(r)) == (422, "bid_guarantee_exceeded"), r.text
    assert r.json()["error"]["details"]["guarantee_usd"] == "600000.00"
    q = await w.bid(auction_id, quentin, qc, "current", "40.00", 15_000, "CAD")
    assert q.status_code == 201, q.text
    r = await w.bid(auction_id, quentin, qc, "advance", "38.00", 6_000, "CAD")
    assert w.code(r) == "holding_limit_exceeded"  # 21,000 > the declared 20,000
    changed = await w.call("PUT", f"{base}/bids/{a.json()['bid_id']}", w.token(alice),
                           {"price": "28.10", "quantity": 10_000}, expect=200)
    assert changed.json()["price"] == "28.10"
    d = await w.bid(auction_id, alice, ca, "advance", "27.70", 1_000)
    assert d.status_code == 201
    withdrawn = await w.call("DELETE", f"{base}/bids/{d.json()['bid_id']}", w.token(alice), expect=200)
    assert withdrawn.json()["status"] == "withdrawn"

    # ---- §95914(c), §95912(f): confidentiality ----------------------------------------------------------
    monitor, other = w.monitor(), w.token(quentin)
    for path in (f"{base}/bids?entity_id={ca.entity_id}", f"{base}/applications/{ca.entity_id}"):
        assert (await w.call("GET", path, other)).status_code == 404
        assert (await w.call("GET", path, monitor)).status_code == 403
    assert (await w.call("GET", f"{base}/bids?entity_id={ca.entity_id}", w.eo("CA"))).status_code == 403
    assert (await w.call("GET", f"{base}/applications", monitor)).status_code == 403
    r = await w.call("PUT", f"{base}/bids/{a.json()['bid_id']}", other, {"price": "50.00", "quantity": 1_000})
    assert (r.status_code, w.code(r)) == (404, "bid_not_found")
    eo_view = (await w.call("GET", f"{base}/applications/{qc.entity_id}", w.eo("QC"), expect=200)).json()
    assert "bidding_terms" not in eo_view  # the executive officer never sees guarantee amounts
    own = (await w.call("GET", f"{base}/bids?entity_id={ca.entity_id}", w.token(aaron), expect=200)).json()
    assert sorted((x["pool"], x["price"], x["quantity"], x["status"]) for x in own) == [
        ("advance", "27.60", 5_000, "active"), ("advance", "27.70", 1_000, "withdrawn"),
        ("current", "28.10", 10_000, "active"), ("current", "40.00", 5_000, "active")]

    # ---- the window closes: bids are binding ------------------------------------------------------
    w.move_to(w.closes + timedelta(minutes=1))
    r = await w.call("PUT", f"{base}/bids/{a.json()['bid_id']}", w.token(alice), {"price": "29.00", "quantity": 10_000})
    assert (r.status_code, w.code(r)) == (409, "bidding_window_closed")
    assert w.code(await w.bid(auction_id, alice, ca, "current", "30.00", 1_000)) == "bidding_window_closed"

    # ---- clearing by the auction administrator, replayable --------------------------------------------
    assert (await w.call("POST", f"{base}/clearing", w.eo("CA"))).status_code == 403
    cleared = (await w.call("POST", f"{base}/clearing", admin(), expect=201)).json()
    assert cleared["result"]["current"]["settlement_price_usd"] == "28.10"
    assert cleared["result"]["advance"]["settlement_price_usd"] == "27.60"
    assert cleared["input"]["seed"] == cleared["seed"]
    assert (await w.call("POST", f"{base}/clearing", admin())).status_code == 409  # once
    replay = (await w.call("POST", f"{base}/clearing/replay", admin(), expect=200)).json()
    assert replay["matches"] is True
    assert replay["replayed_result_sha256"] == cleared["result_sha256"]
    assert (await w.call("GET", f"{base}/clearing", monitor)).status_code == 403
    assert (await w.call("GET", f"{base}/clearing", w.eo("CA"))).status_code == 403  # bids are in the input
    summary = (await w.call("GET", f"{base}/clearing/summary", w.eo("QC"), expect=200)).json()
    assert {x["bidder"]: x["quantity"] for x in summary["current"]["awards"]} == {ca.entity_id: 15_000,
                                                                                  qc.entity_id: 15_000}
    assert (await w.call("GET", base, None)).json()["phase"] == "cleared"

    # ---- §95912(i): certification, notices, public results ---------------------------------------------
    assert (await w.call("GET", f"{base}/results", None)).status_code == 404
    certified = (await w.call("POST", f"{base}/certification", w.eo("CA"), {"note": "conduct reviewed"},
                              expect=200)).json()
    assert certified["phase"] == "certified"
    assert certified["deadlines"]["payment_due_on"] == "2027-03-17"  # §95912(i)(3)(A): seven days
    ca_notice = (await w.call("GET", f"{base}/notices/{ca.entity_id}", w.token(alice), expect=200)).json()
    assert ca_notice["current"] == {"quantity": 15_000, "settlement_price": "28.10"}
    assert ca_notice["advance"] == {"quantity": 5_000, "settlement_price": "27.60"}
    assert ca_notice["total_cost"] == {"amount": "559500.00", "currency": "USD"}  # 421,500 + 138,000
    assert ca_notice["destination_account"] == ca.holding
    qc_notice = (await w.call("GET", f"{base}/notices/{qc.entity_id}", w.token(quentin), expect=200)).json()
    assert qc_notice["current"] == {"quantity": 15_000, "settlement_price": "37.94"}  # 28.10 × 1.35, half up
    assert qc_notice["total_cost"] == {"amount": "569025.00", "currency": "CAD"}
    assert (await w.call("GET", f"{base}/notices/{ca.entity_id}", other)).status_code == 404
    assert (await w.call("GET", f"{base}/notices/{ca.entity_id}", monitor)).status_code == 403
    public = await w.call("GET", f"{base}/results", None, expect=200)
    results = public.json()
    assert results["bidders"] == sorted([ca.name, qc.name])  # (i)(6)(A)
    assert results["current"]["settlement_price_usd"] == "28.10"  # (i)(6)(B)
    assert results["current"]["sold"] == 30_000 and results["current"]["unsold"] == 70_000
    assert results["current"]["percent_purchased_by_category"] == {"covered_entity": "100.00"}  # (i)(6)(C)
    for secret in (ca.entity_id, qc.entity_id, "600000", "559500", ca.holding):
        assert secret not in public.text
    [history] = (await w.call("GET", "/v1/results", None, expect=200)).json()  # the dashboard's series
    assert (history["auction_id"], history["current"]["settlement_price_usd"], history["current"]["sold"]) == (
        auction_id, "28.10", 30_000)

    # ---- what the financial service and the registry receive -------------------------------------------
    mine = lambda e: e.payload.get("auction_id") == auction_id  # noqa: E731
    approved = await bus.read(Topic.AUCTION, lambda e: mine(e) and e.event_type == "auction.BidderApproved", count=2)
    assert {e.payload["entity_id"]: e.payload["currency"] for e in approved} == {ca.entity_id: "USD",
                                                                                 qc.entity_id: "CAD"}
    [event] = await bus.read(Topic.AUCTION, lambda e: mine(e) and e.event_type == "auction.AuctionCertified")
    payload = event.payload
    assert payload["payment_due_on"] == "2027-03-17"
    assert {a["entity_id"]: (a["current_quantity"], a["advance_quantity"], a["cost"], a["destination_account"])
            for a in payload["awards"]} == {
        ca.entity_id: (15_000, 5_000, Money(amount="559500.00", currency="USD").model_dump(), ca.holding),
        qc.entity_id: (15_000, 0, Money(amount="569025.00", currency="CAD").model_dump(), qc.holding)}
    assert payload["consignor_sales"] == [{"entity_id": consignor, "quantity": 10_000,
                                           "proceeds": {"amount": "281000.00", "currency": "USD"}}]
    assert sum(payload["sold_by_jurisdiction"].values()) == 35_000
    assert sum(payload["sold_by_jurisdiction_advance"].values()) == 5_000
    assert payload["auction_holding_accounts"] == holding_accounts
    await bus.read(Topic.AUCTION, lambda e: mine(e) and e.event_type == "auction.AuctionResultsPublished")

    # ---- §95912(i)(5): the registry delivers; linked systems learn the serials ------------------------------
    move_id = w.uid("mv")
    serials = [SerialRange(instrument_type="allowance", jurisdiction="CA", vintage=2027, first_serial=5_000_001,
                           last_serial=5_015_000)]
    await w.emit(MoveRecorded(request_id=w.uid("fin-mv"), move_id=move_id, source_account=holding_accounts["CA"],
                              destination_account=ca.holding, quantity=15_000, serials=serials,
                              reason="auction_award", reference=auction_id, recorded_at=w.clock.now()), "registry")
    [report] = await bus.read(Topic.LINKAGE, lambda e: e.event_type == "auction.AuctionSerialsReported"
                              and e.payload["move_id"] == move_id)
    assert report.payload["auction_id"] == auction_id
    assert report.payload["serials"] == [s.model_dump(mode="json") for s in serials]
    assert ca.holding not in json.dumps(report.payload)  # §95921(e): no account named
    await w.emit(WinnerSettled(auction_id=auction_id, entity_id=ca.entity_id,
                               paid=Money(amount="559500.00", currency="USD"), settled_at=w.clock.now()), "financial")

    async def settled() -> bool:
        r = await w.call("GET", f"{base}/notices/{ca.entity_id}", w.token(alice))
        return r.json()["settled_at"] is not None
    await eventually(settled, timeout=20, interval=0.1)
    assert (await w.call("GET", f"{base}/results", None)).json()["serials_reported_to_linked_systems"] == 15_000

    # ---- every state change is in the hash-chained audit trail ------------------------------------------
    audit = w.service.runtime.tables.audit_log
    async with w.service.runtime.uow() as uow:
        actions = set((await uow.session.execute(select(audit.c.action))).scalars())
    assert {"auction.notice_published", "application.submitted", "application.eligibility_decided",
            "application.participation_decided", "guarantee.accepted", "auction.exchange_rate_set", "bid.placed",
            "bid.changed", "bid.withdrawn", "auction.cleared", "auction.clearing_replayed", "auction.certified",
            "auction.serials_reported", "winner.settled"} <= actions
    assert Decimal(cleared["input"]["reserve_price"]) == Decimal("27.50")
