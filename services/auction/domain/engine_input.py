"""The clearing engine's input document, assembled from the auction, its approved bidders and bids.

The document has exactly the JSON shape of a joint auction that `capreg auction clear` reads
(docs/auction-clearing.md), seed included: the service parses this same document to clear, and
stores it, so an auditor can replay the clearing offline or through the replay endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.auction.domain.bidding import Bid, BidStatus
from services.auction.domain.clearing_input import Currency, JurisdictionOffer, PoolKind
from services.auction.domain.lifecycle import Auction

JsonObject = dict[str, object]
SINGLE_JURISDICTION_RATE = Decimal(1)  # a California-only auction has no conversion


@dataclass(frozen=True)
class EngineBidder:
    entity_id: str
    name: str
    jurisdiction: str
    currency: Currency
    entity_type: str
    purchase_limits: dict[PoolKind, int]
    holding_limit_headroom: int
    guarantee: Decimal  # in the bidder's currency (§95912(h)(4))


def _offer(offer: JurisdictionOffer) -> JsonObject:
    return {
        "state_owned": offer.state_owned,
        "consigned": dict(sorted(offer.consigned.items())),
        "untimely_surrender": offer.untimely_surrender,
        "reintroduced_state_owned": offer.reintroduced_state_owned,
    }


def build_document(auction: Auction, bidders: Sequence[EngineBidder], bids: Sequence[Bid], seed: int) -> JsonObject:
    """Only approved bidders' active bids; ordered so that the same state gives the same document."""
    known = {bidder.entity_id for bidder in bidders}
    active = sorted((bid for bid in bids if bid.status is BidStatus.ACTIVE and bid.entity_id in known),
                    key=lambda bid: (bid.entity_id, bid.pool.value, bid.placed_at, bid.id))
    rate = auction.exchange_rate if auction.is_joint and auction.exchange_rate else SINGLE_JURISDICTION_RATE

    def pool(kind: PoolKind) -> JsonObject:
        return {
            "offers": {j: _offer(offer) for j, offer in sorted(auction.offers[kind].items())},
            "bids": [{"bidder": bid.entity_id, "price": str(bid.price), "quantity": bid.quantity}
                     for bid in active if bid.pool is kind],
        }

    return {
        "reserve_price": str(auction.reserve_price_usd()),
        "exchange_rate": str(rate),
        "seed": seed,
        "bidders": [
            {
                "id": bidder.entity_id,
                "name": bidder.name,
                "jurisdiction": bidder.jurisdiction,
                "currency": bidder.currency.value,
                "entity_type": bidder.entity_type,
                "purchase_limit": {kind.value: bidder.purchase_limits[kind] for kind in PoolKind},
                "holding_limit_headroom": bidder.holding_limit_headroom,
                "bid_guarantee": str(bidder.guarantee),
            }
            for bidder in sorted(bidders, key=lambda b: b.entity_id)
        ],
        "current": pool(PoolKind.CURRENT),
        "advance": pool(PoolKind.ADVANCE),
    }
