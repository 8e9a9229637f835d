"""The stored clearing input replays through the engine and its CLI; certification derives awards,
consignor proceeds and nameless public results from the stored result (§95912(i))."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.auction.application.clearing import canonical_sha256, run_engine
from services.auction.domain.bidding import Bid, BidStatus
from services.auction.domain.clearing_input import Currency, JurisdictionOffer, PoolKind
from services.auction.domain.engine_input import EngineBidder, build_document
from services.auction.domain.lifecycle import Auction, Notice, PurchaseLimitRates
from services.auction.domain.outcome import consignor_proceeds, public_results, sold_by_pool, winner_awards
from services.auction.entrypoints.cli import clear_document

D = Decimal
OPENS = datetime(2027, 3, 10, 18, tzinfo=UTC)


def auction() -> Auction:
    a = Auction.publish(
        auction_id="auc_1", jurisdictions=("CA", "QC"), opens_at=OPENS, closes_at=OPENS + timedelta(hours=3),
        notice=Notice("a", "b", "c", "d", {"CA": 1, "QC": 1}),
        offers={PoolKind.CURRENT: {"CA": JurisdictionOffer(state_owned=6_000, consigned={"ent-consignor": 2_000}),
                                   "QC": JurisdictionOffer(state_owned=2_000)},
                PoolKind.ADVANCE: {"CA": JurisdictionOffer(state_owned=3_000)}},
        reserve_prices={"CA": D("27.50"), "QC": D("36.00")}, purchase_limit_rates=PurchaseLimitRates(),
        now=datetime(2027, 1, 4, tzinfo=UTC), tz=ZoneInfo("America/Los_Angeles"), published_by="admin",
    )
    a.exchange_rate = D("1.35")
    return a


def bidders() -> list[EngineBidder]:
    limits = {PoolKind.CURRENT: 100_000, PoolKind.ADVANCE: 100_000}
    return [EngineBidder("ent-sierra", "Sierra Cement", "CA", Currency.USD, "covered", limits, 100_000,
                         D("1000000.00")),
            EngineBidder("ent-boreal", "Aluminerie", "QC", Currency.CAD, "voluntarily_associated", limits, 100_000,
                         D("1000000.00"))]


def bid(entity: str, pool: str, price: str, quantity: int, currency: Currency = Currency.USD,
        status: BidStatus = BidStatus.ACTIVE) -> Bid:
    return Bid(f"{entity}-{pool}-{price}", "auc_1", entity, PoolKind(pool), D(price), currency, quantity, "rep",
               OPENS, status)


BIDS = [
    bid("ent-sierra", "current", "30.00", 4_000), bid("ent-boreal", "current", "45.00", 4_000, Currency.CAD),
    bid("ent-sierra", "current", "29.00", 4_000), bid("ent-sierra", "advance", "28.00", 2_000),
    bid("ent-sierra", "current", "99.00", 9_000, status=BidStatus.WITHDRAWN),
    bid("stranger", "current", "99.00", 1_000),
]


def test_the_stored_input_is_the_engines_own_document_and_replays_identically():
    document = build_document(auction(), bidders(), BIDS, seed=42)
    assert document["seed"] == 42 and document["reserve_price"] == "27.50"
    assert [b["id"] for b in document["bidders"]] == ["ent-boreal", "ent-sierra"]
    assert len(document["current"]["bids"]) == 3  # withdrawn bids and unknown bidders are left out
    stored = json.loads(json.dumps(document))  # as it comes back from the JSONB column
    first, again = run_engine(stored), run_engine(stored)
    assert canonical_sha256(first) == canonical_sha256(again)
    offline = clear_document(json.dumps(stored))  # what an auditor runs: `capreg auction clear input.json`
    assert offline == first


def test_certification_derives_awards_proceeds_and_nameless_public_results():
    result = run_engine(build_document(auction(), bidders(), BIDS, seed=7))
    # Current: 10,000 offered; qc 4,000 at 45 CAD (33.33 USD), ca 4,000 at 30, then 2,000 of 4,000 at 29
    assert result["current"]["settlement_price_usd"] == "29.00"
    awards = {a.entity_id: a for a in winner_awards(result)}
    assert (awards["ent-sierra"].current_quantity, awards["ent-sierra"].advance_quantity) == (6_000, 2_000)
    assert awards["ent-sierra"].total_cost == D("6000") * D("29.00") + D("2000") * D("28.00")
    assert awards["ent-boreal"].currency is Currency.CAD
    assert awards["ent-boreal"].current_price == D("39.15")  # 29.00 × 1.35
    assert awards["ent-boreal"].total_cost == D("156600.00")  # 4,000 × 29.00 = 116,000 USD × 1.35
    [consignor] = consignor_proceeds(result)
    assert (consignor.entity_id, consignor.quantity, consignor.proceeds_usd) == ("ent-consignor", 2_000,
                                                                                 D("58000.00"))
    assert sold_by_pool(result) == {"current": {"CA": 8_000, "QC": 2_000}, "advance": {"CA": 2_000, "QC": 0}}
    types = {"ent-sierra": "covered", "ent-boreal": "other"}
    published = public_results(result, ["Aluminerie", "Sierra Cement"], types, auction_id="auc_1",
                               auction_date="2027-03-10")
    assert published["bidders"] == ["Aluminerie", "Sierra Cement"]
    assert published["current"]["percent_purchased_by_category"] == {"covered_entity": "60.00", "other": "40.00"}
    assert published["current"]["herfindahl_hirschman_index"] == 5_200  # 60² + 40²
    assert published["current"]["bid_to_cover_ratio"] == "1.20"  # 12,000 qualified / 10,000 offered
    assert not any(secret in json.dumps(published) for secret in ("ent-sierra", "ent-boreal", "ent-consignor"))
