"""Clearing (after the window closes, by the auction administrator) and its replay by an auditor.

The engine's input document, seed included, and its rendered result are stored with their
SHA-256; replaying parses the stored input, clears it again and compares (docs/auction.md).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.access import ADMIN, require
from services.auction.application.notice import load
from services.auction.domain.bidding import guarantee_in, purchase_limit
from services.auction.domain.clearing import clear_joint
from services.auction.domain.clearing_errors import ClearingError
from services.auction.domain.clearing_input import JointAuction, PoolKind
from services.auction.domain.clearing_parse import parse_request
from services.auction.domain.clearing_render import render_joint
from services.auction.domain.engine_input import EngineBidder, build_document
from services.auction.domain.errors import ClearingInputRejected, ExchangeRateNotSet, NotCleared
from services.auction.domain.participation import ApplicationStatus, EntityIneligible
from shared.auth.principal import Principal
from shared.clock import Clock

ENGINE = "services.auction.domain.clearing.clear_joint"


def canonical_sha256(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def run_engine(document: Mapping[str, Any]) -> dict[str, Any]:
    """Parse the stored-form document exactly as the CLI does, clear it, render the result."""
    try:
        request = parse_request(json.loads(json.dumps(document)), lambda: 0)
        if not isinstance(request.auction, JointAuction):
            raise ClearingInputRejected("the stored input is not a joint auction document")
        return render_joint(clear_joint(request.auction, request.seed))
    except ClearingError as exc:
        raise ClearingInputRejected(f"the clearing engine refused the input: {exc.message}",
                                    engine_code=exc.code) from exc


async def clear_auction(auction_id: str, *, actor: Principal, uow: AuctionUnitOfWork, clock: Clock,
                        new_seed: Callable[[], int] = lambda: secrets.randbits(63)) -> dict[str, Any]:
    now = clock.now()
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, ADMIN, auction.jurisdictions)
        auction.mark_cleared(now)
        if auction.is_joint and auction.exchange_rate is None:
            raise ExchangeRateNotSet("set the Auction Exchange Rate before clearing a joint auction")
        approved = await uow.applications.list_for(auction.id, ApplicationStatus.APPROVED)
        entities = await uow.directory.entities(a.entity_id for a in approved)
        guarantees = await uow.guarantees.for_auction(auction.id)
        bidders: list[EngineBidder] = []
        excluded: list[str] = []
        for application in approved:
            entity = entities.get(application.entity_id)
            try:
                if entity is None:
                    raise EntityIneligible("unknown entity")
                entity.require_eligible()  # §95912(d)(3): suspended or revoked since approval
            except EntityIneligible:
                excluded.append(application.entity_id)
                continue
            bidders.append(EngineBidder(
                entity_id=application.entity_id,
                name=entity.legal_name,
                jurisdiction=application.jurisdiction,
                currency=application.currency,
                entity_type=entity.entity_type,
                purchase_limits={pool: purchase_limit(auction, pool, entity.entity_type,
                                                      application.info.purchase_limit_share) for pool in PoolKind},
                holding_limit_headroom=application.holding_limit_headroom,
                guarantee=guarantee_in(application.currency, guarantees.get(application.entity_id),
                                       auction.exchange_rate),
            ))
        seed = new_seed()
        document = build_document(auction, bidders, await uow.bids.for_auction(auction.id, active_only=True), seed)
        result = run_engine(document)
        record = {
            "auction_id": auction.id, "seed": seed, "input": document, "result": result,
            "input_sha256": canonical_sha256(document), "result_sha256": canonical_sha256(result),
            "cleared_at": now, "cleared_by": actor.subject,
        }
        await uow.clearings.add(**record)
        await uow.auctions.save(auction)
        await uow.audit("auction.cleared", auction.id, {
            "engine": ENGINE, "seed": seed, "input_sha256": record["input_sha256"],
            "result_sha256": record["result_sha256"], "excluded_bidders": excluded,
            "current_settlement_price_usd": result["current"]["settlement_price_usd"],
            "advance_settlement_price_usd": result["advance"]["settlement_price_usd"],
        })
        await uow.commit()
    return record


async def clearing_record(auction_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    async with uow:
        auction = await load(uow, auction_id)
        require(actor, ADMIN, auction.jurisdictions)
        row = await uow.clearings.get(auction.id)
    if row is None:
        raise NotCleared("the auction has not been cleared")
    return dict(row)


async def replay_clearing(auction_id: str, *, actor: Principal, uow: AuctionUnitOfWork) -> dict[str, Any]:
    """Clear the stored input again with the stored seed; the result must be identical."""
    async with uow:
        auction = await load(uow, auction_id)
        require(actor, ADMIN, auction.jurisdictions)
        row = await uow.clearings.get(auction.id)
        if row is None:
            raise NotCleared("the auction has not been cleared")
        replayed = run_engine(row["input"])
        outcome = {
            "auction_id": auction.id,
            "seed": row["seed"],
            "engine": ENGINE,
            "input_sha256": canonical_sha256(row["input"]),
            "stored_input_sha256": row["input_sha256"],
            "stored_result_sha256": row["result_sha256"],
            "replayed_result_sha256": canonical_sha256(replayed),
        }
        outcome["matches"] = (replayed == row["result"]
                              and outcome["replayed_result_sha256"] == row["result_sha256"]
                              and outcome["input_sha256"] == row["input_sha256"])
        await uow.audit("auction.clearing_replayed", auction.id, dict(outcome))
        await uow.commit()
    return outcome
