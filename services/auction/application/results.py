"""Certification by the executive officer and what follows it (§95912(i)).

One transaction: the certification, one notice per winner (i)(2), the public results (i)(6),
AuctionCertified (the financial service settles from it, (i)(3)) and AuctionResultsPublished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.access import EO, require
from services.auction.application.notice import load
from services.auction.application.policy import AuctionPolicy
from services.auction.domain.errors import HoldingAccountUnknown, NotCleared
from services.auction.domain.lifecycle import Auction
from services.auction.domain.outcome import (
    WinnerAward,
    consignor_proceeds,
    public_results,
    sold_by_pool,
    winner_awards,
)
from shared.auth.principal import Principal
from shared.clock import Clock
from shared.contracts.auction import (
    AuctionCancelled,
    AuctionCertified,
    AuctionResultsPublished,
    Award,
    ConsignorSale,
    Money,
)


def _bidder_names(document: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """(i)(6)(A): the names of the entities that bid; and every bidder's entity type."""
    names = {b["id"]: b["name"] for b in document["bidders"]}
    types = {b["id"]: b["entity_type"] for b in document["bidders"]}
    bid = {entry["bidder"] for pool in ("current", "advance") for entry in document[pool]["bids"]}
    return sorted(names[b] for b in bid if b in names), types


def _notice_row(auction: Auction, award: WinnerAward, destination: str, policy: AuctionPolicy,
                now: datetime) -> dict[str, Any]:
    assert auction.payment_due_on is not None
    return {
        "auction_id": auction.id, "entity_id": award.entity_id, "legal_name": award.name,
        "currency": award.currency.value, "current_quantity": award.current_quantity,
        "advance_quantity": award.advance_quantity, "current_price": award.current_price,
        "advance_price": award.advance_price, "total_cost": award.total_cost, "destination_account": destination,
        "payment_due_on": auction.payment_due_on, "payment_method": policy.payment_method, "notified_at": now,
    }


async def certify(auction_id: str, *, meets_requirements: bool, note: str | None, actor: Principal,
                  uow: AuctionUnitOfWork, clock: Clock, policy: AuctionPolicy) -> Auction:
    now = clock.now()
    async with uow:
        auction = await load(uow, auction_id, lock="update")
        require(actor, EO, auction.jurisdictions)
        auction.certify(meets_requirements=meets_requirements, note=note, by=actor.subject, now=now, tz=policy.tz)
        clearing = await uow.clearings.get(auction.id)
        if clearing is None:
            raise NotCleared("no clearing result is stored")
        if not meets_requirements:  # §95912(i)(1): no sale; guarantees are returned
            await uow.auctions.save(auction)
            await uow.publish(AuctionCancelled(auction_id=auction.id, kind="not_certified", cancelled_at=now,
                                               reason=note or "the auction did not meet the requirements"))
            await uow.audit("auction.not_certified", auction.id, {"note": note})
            await uow.commit()
            return auction
        result, document = clearing["result"], clearing["input"]
        awards = winner_awards(result)
        entities = await uow.directory.entities(a.entity_id for a in awards)
        notices = []
        for award in awards:
            standing = entities.get(award.entity_id)
            if standing is None or standing.holding_account is None:
                raise HoldingAccountUnknown("a winner has no holding account", entity_id=award.entity_id)
            notices.append(_notice_row(auction, award, standing.holding_account, policy, now))
        await uow.results.add_notices(notices)
        names, types = _bidder_names(document)
        published = public_results(result, names, types, auction_id=auction.id,
                                   auction_date=auction.auction_date.isoformat())
        await uow.results.add_public(auction.id, published, now)
        holding_accounts = {**policy.auction_holding_accounts,
                            **await uow.directory.auction_holding_accounts(auction.jurisdictions)}
        by_pool = sold_by_pool(result)
        assert auction.payment_due_on is not None
        await uow.publish(AuctionCertified(
            auction_id=auction.id,
            certified_at=now,
            current_settlement_price_usd=result["current"]["settlement_price_usd"] or "0.00",
            advance_settlement_price_usd=result["advance"]["settlement_price_usd"],
            exchange_rate_cad_per_usd=result["current"]["exchange_rate_cad_per_usd"],
            payment_due_on=auction.payment_due_on,
            awards=[Award(entity_id=a.entity_id, current_quantity=a.current_quantity,
                          advance_quantity=a.advance_quantity, currency=a.currency.value,
                          cost=Money(amount=str(a.total_cost), currency=a.currency.value),
                          destination_account=row["destination_account"])
                    for a, row in zip(awards, notices, strict=True)],
            consignor_sales=[ConsignorSale(entity_id=c.entity_id, quantity=c.quantity,
                                           proceeds=Money(amount=str(c.proceeds_usd), currency="USD"))
                             for c in consignor_proceeds(result)],
            sold_by_jurisdiction={j: by_pool["current"].get(j, 0) + by_pool["advance"].get(j, 0)
                                  for j in auction.jurisdictions},
            sold_by_jurisdiction_advance=dict(by_pool["advance"]),
            auction_holding_accounts={j: holding_accounts[j] for j in auction.jurisdictions if j in holding_accounts},
        ))
        await uow.publish(AuctionResultsPublished(
            auction_id=auction.id, published_at=now, bidders=names,
            current_settlement_price_usd=result["current"]["settlement_price_usd"],
            advance_settlement_price_usd=result["advance"]["settlement_price_usd"], results=published,
        ))
        await uow.auctions.save(auction)
        await uow.audit("auction.certified", auction.id, {
            "note": note, "payment_due_on": auction.payment_due_on.isoformat(), "winners": len(awards),
            "result_sha256": clearing["result_sha256"],
        })
        await uow.commit()
    return auction
