"""Input types of the auction clearing engine: one pool, or a joint Current + Advance auction.

Pure data. Prices and guarantees are ``Decimal`` in the bidder's currency; quantities are
whole allowances (``int``). The engine validates every rule when it clears (see clearing.py),
so these types may be built directly by other code as well as parsed from JSON
(clearing_json.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

LOT_SIZE = 1_000  # §95911(b): bids are submitted in lots of 1,000 allowances

CALIFORNIA = "CA"
QUEBEC = "QC"
# Jurisdictions of the joint CA/QC auction (§95912(b)); Nova Scotia auctions alone, out of scope.
JURISDICTIONS: tuple[str, ...] = (CALIFORNIA, QUEBEC)
# Québec bidders may bid and post their guarantee in CAD; a California entity's guarantee is in
# USD (§95912(h)(2), (h)(4)).
CAD_JURISDICTIONS: frozenset[str] = frozenset({QUEBEC})


class PoolKind(StrEnum):
    """The two separate pools of an auction, cleared Current first (§95911(a); §95912(h)(10))."""

    CURRENT = "current"
    ADVANCE = "advance"


class Currency(StrEnum):
    USD = "USD"
    CAD = "CAD"


class SaleCategory(StrEnum):
    """Categories of allowances a jurisdiction offers, listed in California's order of sale."""

    CONSIGNED = "consigned"
    UNTIMELY_SURRENDER = "untimely_surrender"
    REINTRODUCED_STATE_OWNED = "reintroduced_state_owned"
    STATE_OWNED = "state_owned"


@dataclass(frozen=True, slots=True)
class Bidder:
    """An approved auction participant (§95912(d)-(e)) with its limits and bid guarantee.

    purchase_limit and holding_limit_headroom are in allowances, for the pool being cleared;
    bid_guarantee is in the bidder's currency (§95912(h)(4)).
    """

    id: str
    name: str
    jurisdiction: str
    currency: Currency
    entity_type: str
    purchase_limit: int
    holding_limit_headroom: int
    bid_guarantee: Decimal


@dataclass(frozen=True, slots=True)
class Bid:
    """A sealed bid (§95911(a)): price per allowance in the bidder's currency, a number of allowances."""

    bidder_id: str
    price: Decimal
    quantity: int


@dataclass(frozen=True)
class JurisdictionOffer:
    """What one jurisdiction offers in one pool, by category; quantities need not be whole lots.

    consigned maps the consigning entity's id to its quantity (§95910(d)); only California
    offers consigned, untimely-surrender and re-introduced state-owned allowances.
    """

    state_owned: int = 0
    consigned: Mapping[str, int] = field(default_factory=dict)
    untimely_surrender: int = 0
    reintroduced_state_owned: int = 0

    def total(self) -> int:
        return (
            self.state_owned
            + sum(self.consigned.values())
            + self.untimely_surrender
            + self.reintroduced_state_owned
        )

    def category_quantity(self, category: SaleCategory) -> int:
        if category is SaleCategory.CONSIGNED:
            return sum(self.consigned.values())
        quantity: int = getattr(self, category.value)
        return quantity


@dataclass(frozen=True)
class PoolAuction:
    """One pool (Current or Advance) to clear.

    reserve_price is the Auction Reserve Price in USD (§95911(c)); for a joint auction the
    caller passes the higher of the partners' reserve prices after conversion.
    exchange_rate is the Auction Exchange Rate in CAD per USD.
    """

    kind: PoolKind
    reserve_price: Decimal
    exchange_rate: Decimal
    offers: Mapping[str, JurisdictionOffer]
    bidders: Sequence[Bidder]
    bids: Sequence[Bid]


@dataclass(frozen=True)
class PoolBook:
    """The supply and the bids of one pool of a joint auction.

    purchase_limits optionally overrides a bidder's purchase_limit for this pool (the Current and
    Advance purchase limits differ, §95911(d)); bidders not named keep Bidder.purchase_limit.
    """

    offers: Mapping[str, JurisdictionOffer]
    bids: Sequence[Bid]
    purchase_limits: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class JointAuction:
    """A Current Auction and an Advance Auction held together, sharing bidders and guarantees.

    Each bidder posts a single guarantee covering both pools (§95912(h)(5)(C)); it is applied
    to the Current Auction first and what remains decides the Advance Auction (§95912(h)(10)).
    """

    reserve_price: Decimal
    exchange_rate: Decimal
    bidders: Sequence[Bidder]
    current: PoolBook
    advance: PoolBook
