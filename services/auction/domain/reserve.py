"""The Auction Reserve Price (§95911(c)) and the Auction Exchange Rate of a joint auction.

Each jurisdiction's reserve price for a calendar year is configuration, in the jurisdiction's
currency (California USD, Québec CAD); it is announced the first business day of December of
the year before and is not usable before then. A joint auction's reserve is the higher of the
partners' reserve prices after conversion at the Auction Exchange Rate (CAD per USD).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from services.auction.domain.clearing_input import CALIFORNIA, QUEBEC, Currency
from services.auction.domain.errors import ExchangeRateNotSet, ReservePriceNotAnnounced

JURISDICTION_CURRENCY: Mapping[str, Currency] = {CALIFORNIA: Currency.USD, QUEBEC: Currency.CAD}
CENT = Decimal("0.01")


def first_business_day_of_december(year: int) -> date:
    """Monday to Friday; 1 December is never a public holiday in California or Québec."""
    day = date(year, 12, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def announced_reserve_prices(
    configured: Mapping[str, Mapping[int, Decimal]],
    jurisdictions: tuple[str, ...],
    year: int,
    today: date,
) -> dict[str, Decimal]:
    """Each jurisdiction's reserve price for `year`, in its own currency, once announced (§95911(c))."""
    announcement = first_business_day_of_december(year - 1)
    if today < announcement:
        raise ReservePriceNotAnnounced(
            f"the {year} reserve prices are announced on {announcement.isoformat()}",
            year=year, announced_on=announcement.isoformat(),
        )
    prices: dict[str, Decimal] = {}
    for jurisdiction in jurisdictions:
        price = configured.get(jurisdiction, {}).get(year)
        if price is None:
            raise ReservePriceNotAnnounced(
                f"no {year} reserve price is configured for {jurisdiction}", year=year, jurisdiction=jurisdiction
            )
        prices[jurisdiction] = price
    return prices


def reserve_price_usd(reserve_prices: Mapping[str, Decimal], exchange_rate: Decimal | None) -> Decimal:
    """The auction's reserve in USD: the highest partner reserve after conversion.

    A CAD reserve is converted at the Auction Exchange Rate and rounded UP to the cent, so that a
    bid at the joint reserve is never below either partner's reserve.
    """
    best = Decimal(0)
    for jurisdiction, price in reserve_prices.items():
        if JURISDICTION_CURRENCY[jurisdiction] is Currency.USD:
            usd = price
        else:
            if exchange_rate is None:
                raise ExchangeRateNotSet("the Auction Exchange Rate is needed to convert the Québec reserve price")
            usd = (price / exchange_rate).quantize(CENT, rounding=ROUND_CEILING)
        best = max(best, usd)
    return best
