"""Who sold what: the sold quantity split between jurisdictions, categories and consignors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.auction.domain.clearing_input import JurisdictionOffer, SaleCategory


def split_largest_remainder(total: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Split `total` whole allowances in proportion to `weights` by the largest-remainder method.

    Each key gets ⌊total × w / Σw⌋; the allowances left over go one each to the keys with the
    largest remainders. Deterministic tie-break between equal remainders: the larger weight
    first, then the key in alphabetical order. Requires 0 ≤ total ≤ Σw.
    """
    weight_total = sum(weight for _, weight in weights)
    if not 0 <= total <= weight_total:
        raise ValueError(f"cannot split {total} over weights summing to {weight_total}")
    if weight_total == 0:
        return {key: 0 for key, _ in weights}
    shares = {key: total * weight // weight_total for key, weight in weights}
    left_over = total - sum(shares.values())
    ranked = sorted(weights, key=lambda kw: (-(total * kw[1] % weight_total), -kw[1], kw[0]))
    for key, _ in ranked[:left_over]:
        shares[key] += 1
    return shares


@dataclass(frozen=True, slots=True)
class JurisdictionSplit:
    sold: int
    by_category: dict[SaleCategory, int]
    by_consignor: dict[str, int]


def split_sold(sold: int, offers: Mapping[str, JurisdictionOffer]) -> dict[str, JurisdictionSplit]:
    """Split the pool's sold quantity between jurisdictions, then within each by category.

    §95912(b), joint auction: the sold quantity is split in proportion to what each jurisdiction
    offered, rounded to whole allowances by largest remainder (DOMAIN.md "Auctions"). When
    everything sells, each jurisdiction sells exactly what it offered.
    """
    weights = sorted((code, offer.total()) for code, offer in offers.items())
    shares = split_largest_remainder(sold, weights)
    return {code: _split_categories(shares[code], offers[code]) for code, _ in weights}


SALE_ORDER: tuple[SaleCategory, ...] = tuple(SaleCategory)


def _split_categories(sold: int, offer: JurisdictionOffer) -> JurisdictionSplit:
    """Within a jurisdiction's share, categories sell in order (§95910(d); DOMAIN.md "Auctions"):

    consigned first, then untimely-surrender, then re-introduced state-owned, then new
    state-owned. Consignors share the consigned sales pro rata to what each consigned, by
    largest remainder (same tie-break as above).
    """
    left = sold
    by_category: dict[SaleCategory, int] = {}
    for category in SALE_ORDER:
        taken = min(left, offer.category_quantity(category))
        by_category[category] = taken
        left -= taken
    consignors = sorted(offer.consigned.items())
    by_consignor = split_largest_remainder(by_category[SaleCategory.CONSIGNED], consignors)
    return JurisdictionSplit(sold, by_category, by_consignor)
