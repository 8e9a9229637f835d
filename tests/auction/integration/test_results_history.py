"""GET /v1/results: the public results of certified auctions over time (the operations dashboard's chart)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _pool(price: str, offered: int, sold: int) -> dict[str, object]:
    return {"settlement_price_usd": price, "settlement_price_cad": None, "reserve_price_usd": "25.87",
            "offered": offered, "sold": sold, "unsold": offered - sold, "sold_by_jurisdiction": {"CA": sold},
            "qualified_bid_quantity": sold, "bid_to_cover_ratio": "1.00", "percent_purchased_by_category": {},
            "herfindahl_hirschman_index": 10_000}


async def test_lists_only_certified_results_oldest_first_without_bidder_names(world):
    certified, pending = await world.publish_auction(), await world.publish_auction()
    document = {"auction_id": certified, "auction_date": "2027-03-10", "exchange_rate_cad_per_usd": None,
                "bidders": ["Secret Bidder Inc."], "current": _pool("28.10", 100_000, 30_000),
                "advance": _pool("27.60", 30_000, 10_000)}
    # what certification writes (services/auction/application/results.py)
    async with world.service.runtime.uow() as uow:
        await uow.results.add_public(certified, document, world.clock.now())
        await uow.commit()

    r = await world.call("GET", "/v1/results", None, expect=200)
    assert r.json() == [{
        "auction_id": certified, "auction_date": "2027-03-10", "published_at": world.clock.now().isoformat(),
        "current": {"settlement_price_usd": "28.10", "settlement_price_cad": None, "offered": 100_000,
                    "sold": 30_000},
        "advance": {"settlement_price_usd": "27.60", "settlement_price_cad": None, "offered": 30_000,
                    "sold": 10_000},
    }]
    assert pending not in r.text and "Secret Bidder" not in r.text
    assert (await world.call("GET", "/v1/results?limit=0", None)).status_code == 422
