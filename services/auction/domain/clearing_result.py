"""Result types of the auction clearing engine. Money is ``Decimal`` (two places), USD unless named CAD."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from services.auction.domain.clearing_input import Currency, PoolKind, SaleCategory


class PriceQuantity(NamedTuple):
    price_usd: Decimal
    quantity: int


class GuaranteeReentry(NamedTuple):
    """Lots cut at from_price that re-entered at the lower to_price, where they fit the guarantee."""

    from_price_usd: Decimal
    to_price_usd: Decimal
    quantity: int


@dataclass(frozen=True)
class Screening:
    """What screening did to one bidder's bids (§95911(e)(3)), in the order it was applied.

    below_reserve: allowances bid below the Auction Reserve Price (not qualifying).
    limit_reason: "purchase_limit" or "holding_limit" when step 1 cut lots, else None.
    limit_cuts: lots dropped by step 1, lowest price first.
    guarantee_reentries / guarantee_drops: step 2; drops are lots that fit nowhere.
    accepted_quantity: allowances left in the ranking after both steps.
    """

    bidder_id: str
    below_reserve: int
    effective_limit: int
    limit_reason: str | None
    limit_cuts: tuple[PriceQuantity, ...]
    guarantee_usd: Decimal
    max_bid_value_usd: Decimal
    guarantee_reentries: tuple[GuaranteeReentry, ...]
    guarantee_drops: tuple[PriceQuantity, ...]
    accepted_quantity: int


@dataclass(frozen=True, slots=True)
class Award:
    """Allowances won at the settlement price; cost_cad only for bidders that bid in CAD."""

    bidder_id: str
    name: str
    jurisdiction: str
    currency: Currency
    quantity: int
    cost_usd: Decimal
    cost_cad: Decimal | None


class TieShare(NamedTuple):
    bidder_id: str
    tied_quantity: int
    pro_rata_quantity: int
    remainder_quantity: int


@dataclass(frozen=True)
class TieBreak:
    """Step 4: bids at the settlement price exceeded the supply left for them.

    draw_order is the random order drawn with random.Random(seed) over the bidders whose pro
    rata share had a fraction; the first `remainder` of them got one more allowance each.
    """

    price_usd: Decimal
    remaining_supply: int
    tied_quantity: int
    remainder: int
    draw_order: tuple[str, ...]
    shares: tuple[TieShare, ...]


@dataclass(frozen=True, slots=True)
class CategorySale:
    category: SaleCategory
    offered: int
    sold: int


@dataclass(frozen=True)
class JurisdictionSale:
    jurisdiction: str
    offered: int
    sold: int
    categories: tuple[CategorySale, ...]


@dataclass(frozen=True, slots=True)
class ConsignorSale:
    """Allowances of one consignor sold; value_sold_usd = sold × settlement price (§95912(i)(3)(D))."""

    entity_id: str
    jurisdiction: str
    offered: int
    sold: int
    value_sold_usd: Decimal


@dataclass(frozen=True)
class PoolResult:
    """The outcome of clearing one pool.

    settlement_price_usd is None only when nothing was sold (no qualifying bid, or nothing
    offered); settlement_price_cad is the USD price converted, rounded half up to the cent.
    """

    kind: PoolKind
    seed: int
    reserve_price_usd: Decimal
    exchange_rate: Decimal
    settlement_price_usd: Decimal | None
    settlement_price_cad: Decimal | None
    undersubscribed: bool
    total_offered: int
    total_sold: int
    jurisdictions: tuple[JurisdictionSale, ...]
    consignors: tuple[ConsignorSale, ...]
    awards: tuple[Award, ...]
    screening: tuple[Screening, ...]
    tie_break: TieBreak | None

    @property
    def total_unsold(self) -> int:
        return self.total_offered - self.total_sold


@dataclass(frozen=True, slots=True)
class GuaranteeUse:
    """How one bidder's single guarantee was applied: Current first, the rest to Advance (§95912(h)(10))."""

    bidder_id: str
    currency: Currency
    guarantee: Decimal
    guarantee_usd: Decimal
    current_cost_usd: Decimal
    remaining_for_advance_usd: Decimal
    advance_cost_usd: Decimal


@dataclass(frozen=True)
class JointResult:
    seed: int
    current: PoolResult
    advance: PoolResult
    guarantees: tuple[GuaranteeUse, ...]
