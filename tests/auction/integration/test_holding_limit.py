"""At bid entry the registry's holding-limit headroom (§95920) is asked with the bidder's own token;
when it is lower than the declared headroom it wins; when the registry is unreachable the
declared headroom is used (the registry enforces the limit again at delivery, §95912(i)(4))."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.infra.embedded import free_port
from shared.testing.server import serve

pytestmark = pytest.mark.integration


def fake_registry(headroom: dict[str, int], seen: list[tuple[str, str, str]]) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/holding-limits/{entity_id}/headroom")
    async def get_headroom(entity_id: str, vintage: int, request: Request) -> JSONResponse:
        seen.append((entity_id, str(vintage), request.headers.get("authorization", "")))
        if entity_id not in headroom:
            return JSONResponse(status_code=404, content={"error": {"code": "not_found"}})
        return JSONResponse({"entity_id": entity_id, "vintage": vintage, "headroom": headroom[entity_id]})

    @app.get("/readyz")
    async def ready() -> dict[str, bool]:
        return {"ready": True}

    return app


async def test_the_registry_headroom_lowers_what_a_bidder_may_bid(make_world):
    headroom: dict[str, int] = {}
    seen: list[tuple[str, str, str]] = []
    async with serve(fake_registry(headroom, seen)) as registry, make_world(registry_url=registry.url) as w:
        auction_id = await w.publish_auction(jurisdictions=("CA",))
        entity = await w.entity(representatives={w.uid("hal"): "primary"})
        rep = next(iter(entity.representatives))
        await w.known(entity)
        await w.fsa_information(rep)
        await w.approved_bidder(auction_id, entity, rep, headroom=50_000)
        await w.guarantee(auction_id, entity, "5000000.00")
        await w.wait_guarantee(auction_id, entity, "5000000.00")
        headroom[entity.entity_id] = 8_000
        w.move_to(w.opens + timedelta(minutes=1))
        assert (await w.bid(auction_id, rep, entity, "current", "30.00", 8_000)).status_code == 201
        r = await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)
        assert (r.status_code, w.code(r)) == (422, "holding_limit_exceeded")
        details: dict[str, Any] = r.json()["error"]["details"]
        assert details["holding_limit_headroom"] == 8_000 and details["source"] == "registry"
        entity_id, vintage, authorization = seen[-1]
        assert (entity_id, vintage) == (entity.entity_id, "2027")
        assert authorization.startswith("Bearer ") and len(authorization) > 50  # the bidder's own token

        terms = (await w.call("GET", f"/v1/auctions/{auction_id}/applications/{entity.entity_id}",
                              w.token(rep))).json()["bidding_terms"]
        assert terms["holding_limit_headroom"] == 8_000
        del headroom[entity.entity_id]  # the registry does not answer: the last answer stands
        assert w.code(await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)) == "holding_limit_exceeded"
        headroom[entity.entity_id] = 20_000
        assert (await w.bid(auction_id, rep, entity, "current", "30.00", 1_000)).status_code == 201

        w.move_to(w.closes)
        cleared = (await w.call("POST", f"/v1/auctions/{auction_id}/clearing", w.admin(), expect=201)).json()
        [bidder] = cleared["input"]["bidders"]
        assert bidder["holding_limit_headroom"] == 20_000  # min(declared 50,000, the registry's 20,000)


async def test_an_unreachable_registry_leaves_the_declared_headroom(make_world):
    async with make_world(registry_url=f"http://127.0.0.1:{free_port()}", registry_timeout_seconds=0.5) as w:
        auction_id = await w.publish_auction(jurisdictions=("CA",))
        entity = await w.entity(representatives={w.uid("ida"): "primary"})
        rep = next(iter(entity.representatives))
        await w.known(entity)
        await w.fsa_information(rep)
        await w.approved_bidder(auction_id, entity, rep, headroom=3_000)
        await w.guarantee(auction_id, entity, "500000.00")
        await w.wait_guarantee(auction_id, entity, "500000.00")
        w.move_to(w.opens + timedelta(minutes=1))
        assert (await w.bid(auction_id, rep, entity, "current", "30.00", 3_000)).status_code == 201
        r = await w.bid(auction_id, rep, entity, "advance", "30.00", 1_000)
        assert (w.code(r), r.json()["error"]["details"]["source"]) == ("holding_limit_exceeded", "declared")
