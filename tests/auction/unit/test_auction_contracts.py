"""The auction's events are tolerant: additive fields default, so older payloads still parse."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from shared.contracts.auction import (
    AuctionCancelled,
    AuctionCertified,
    AuctionResultsPublished,
    AuctionSerialsReported,
    BiddingWindowRescheduled,
)
from shared.contracts.registry import SerialRange
from shared.contracts.topics import Topic

NOW = datetime(2027, 3, 10, 21, tzinfo=UTC)


def round_trip(event):  # type: ignore[no-untyped-def]
    again = type(event).model_validate(json.loads(event.model_dump_json()))
    assert again == event
    return again


def test_new_auction_events_round_trip_and_are_keyed_by_auction():
    events = [
        BiddingWindowRescheduled(auction_id="a", auction_date=date(2027, 3, 17), bidding_opens_at=NOW,
                                 bidding_closes_at=NOW, rescheduled_at=NOW, reason="failure", kind="delayed"),
        AuctionCancelled(auction_id="a", kind="window_cancelled", cancelled_at=NOW, reason="failure"),
        AuctionResultsPublished(auction_id="a", published_at=NOW, bidders=["B"], current_settlement_price_usd="28.10",
                                advance_settlement_price_usd=None, results={"current": {"sold": 1000}}),
        AuctionSerialsReported(auction_id="a", move_id="m", quantity=1000, reported_at=NOW, serials=[
            SerialRange(instrument_type="allowance", jurisdiction="CA", vintage=2027, first_serial=1,
                        last_serial=1000)]),
    ]
    for event in events:
        assert round_trip(event).aggregate_id() == "a"
    assert AuctionSerialsReported.TOPIC == Topic.LINKAGE


def test_a_reschedule_from_an_older_producer_is_a_reschedule_and_certification_needs_no_advance_split():
    old = {"auction_id": "a", "auction_date": "2027-03-17", "bidding_opens_at": NOW.isoformat(),
           "bidding_closes_at": NOW.isoformat(), "rescheduled_at": NOW.isoformat()}
    assert BiddingWindowRescheduled.model_validate(old).kind == "rescheduled"
    certified = AuctionCertified.model_validate({
        "auction_id": "a", "certified_at": NOW.isoformat(), "current_settlement_price_usd": "28.10",
        "advance_settlement_price_usd": None, "exchange_rate_cad_per_usd": "1.35", "payment_due_on": "2027-03-17",
        "awards": [], "consignor_sales": [], "sold_by_jurisdiction": {"CA": 1000}, "auction_holding_accounts": {}})
    assert certified.sold_by_jurisdiction_advance == {}
