"""Settlement after certification (§95912(i)): invoices, deliveries of allowances, distribution of proceeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from services.financial.domain.errors import DistributionShortfall, InvalidAmount
from services.financial.domain.ledger import consignor_account
from services.financial.domain.money import Currency, Money, convert_cents


@dataclass(frozen=True)
class Prices:
    """The certified settlement prices (USD) and the Auction Exchange Rate (CAD per USD)."""

    current_usd: Decimal
    advance_usd: Decimal | None
    cad_per_usd: Decimal

    def pool_cost_usd_cents(self, current_quantity: int, advance_quantity: int) -> tuple[int, int]:
        current = int((self.current_usd * current_quantity).scaleb(2))
        advance = int(((self.advance_usd or Decimal(0)) * advance_quantity).scaleb(2))
        return current, advance


def award_cost(current_quantity: int, advance_quantity: int, prices: Prices, currency: Currency | str) -> Money:
    """Settlement price × quantity per pool, in the bidder's currency at the auction exchange rate.

    A CAD bidder's cost is the USD cost converted (DOMAIN.md "Auctions"), pool by pool, rounded
    half up to the cent: the same rule the auction service applies to the awards it certifies.
    """
    current, advance = prices.pool_cost_usd_cents(current_quantity, advance_quantity)
    cents = sum(convert_cents(c, Currency.USD, currency, prices.cad_per_usd) for c in (current, advance) if c)
    return Money.from_cents(cents, currency)


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"  # covered by cash, by drawn guarantees, or both
    DEFAULTED = "defaulted"  # due date passed and the guarantees did not cover it


@dataclass
class Invoice:
    id: str
    auction_id: str
    entity_id: str
    amount: Money
    current_quantity: int
    advance_quantity: int
    destination_account: str
    due_on: date
    issued_at: datetime
    certified_cost: Money
    paid_cash: Decimal = Decimal("0.00")
    drawn: Decimal = Decimal("0.00")
    overpaid: Decimal = Decimal("0.00")
    status: InvoiceStatus = InvoiceStatus.OPEN
    closed_at: datetime | None = None

    @property
    def currency(self) -> Currency:
        return self.amount.currency

    @property
    def outstanding(self) -> Money:
        return Money(self.amount.amount - self.paid_cash - self.drawn, self.currency)

    @property
    def received(self) -> Money:
        """What this invoice brought into settlement: cash applied plus guarantees drawn."""
        return Money(self.paid_cash + self.drawn, self.currency)

    @property
    def cost_discrepancy(self) -> bool:
        return self.certified_cost != self.amount

    def receive(self, money: Money, at: datetime) -> tuple[Money, Money]:
        """Record a wire (§95912(i)(3)(A)): (applied to the invoice, excess owed back to the winner)."""
        if money.currency != self.currency:
            money = money + Money.zero(self.currency)  # raises CurrencyMismatch
        if not money.is_positive:
            raise InvalidAmount("a payment is more than zero", field="amount")
        applied = money.min(self.outstanding) if self.status is InvoiceStatus.OPEN else Money.zero(self.currency)
        excess = money - applied
        self.paid_cash += applied.amount
        self.overpaid += excess.amount
        if self.status is InvoiceStatus.OPEN and self.outstanding.is_zero:
            self.status, self.closed_at = InvoiceStatus.PAID, at
        return applied, excess

    def is_overdue(self, today: date) -> bool:
        """Unpaid after the seven days (§95912(i)(3)(A)-(B)): the guarantee is drawn the next day."""
        return self.status is InvoiceStatus.OPEN and today > self.due_on

    def apply_draw(self, money: Money) -> None:
        self.drawn += (money + Money.zero(self.currency)).amount

    def close_after_draws(self, at: datetime) -> None:
        self.status = InvoiceStatus.PAID if self.outstanding.is_zero else InvoiceStatus.DEFAULTED
        self.closed_at = at


# ---- deliveries of allowances (§95912(i)(4)) ----------------------------------------------------

def apportion(rows: Sequence[tuple[str, int]], columns: Sequence[tuple[str, int]]) -> dict[tuple[str, str], int]:
    """Split each row's quantity over the columns so that every row and every column sums exactly.

    Proportional by cumulative rounding: cell(i, j) is the growth of ⌊C·P/T⌋ between consecutive
    cumulative row totals C and column totals P, which telescopes to exact sums both ways. With
    two columns every cell is non-negative; otherwise, should a cell come out negative, the rows
    are filled from the columns in order instead. Requires Σ rows = Σ columns, all >= 0.
    """
    total = sum(q for _, q in rows)
    if total != sum(q for _, q in columns) or any(q < 0 for _, q in (*rows, *columns)):
        raise ValueError("rows and columns must be non-negative with equal totals")
    if total == 0:
        return {}
    prefix = [0]
    for _, q in columns:
        prefix.append(prefix[-1] + q)
    cells: dict[tuple[str, str], int] = {}
    before = 0
    for row, quantity in rows:
        after = before + quantity
        for j, (col, _) in enumerate(columns):
            cells[(row, col)] = ((after * prefix[j + 1] // total - after * prefix[j] // total)
                                 - (before * prefix[j + 1] // total - before * prefix[j] // total))
        before = after
    if all(v >= 0 for v in cells.values()):
        return {k: v for k, v in cells.items() if v}
    return _fill_in_order(rows, columns)


def _fill_in_order(rows: Sequence[tuple[str, int]], columns: Sequence[tuple[str, int]]) -> dict[tuple[str, str], int]:
    left = {col: q for col, q in columns}
    cells: dict[tuple[str, str], int] = {}
    for row, quantity in rows:
        for col, _ in columns:
            take = min(quantity, left[col])
            if take:
                cells[(row, col)] = take
                left[col] -= take
                quantity -= take
    return cells


class Pool(StrEnum):
    CURRENT = "current"
    ADVANCE = "advance"


@dataclass(frozen=True)
class AwardLine:
    entity_id: str
    current_quantity: int
    advance_quantity: int


@dataclass(frozen=True)
class DeliveryPlan:
    entity_id: str
    jurisdiction: str
    pool: Pool
    vintage: int
    quantity: int


def plan_deliveries(awards: Sequence[AwardLine], sold_current: Mapping[str, int], sold_advance: Mapping[str, int],
                    *, current_vintage: int, advance_vintage: int) -> dict[str, list[DeliveryPlan]]:
    """Which jurisdiction's allowances each winner receives, pool by pool, in proportion to what sold.

    Raises ValueError when the awards do not add up to what the certification says was sold.
    """
    out: dict[str, list[DeliveryPlan]] = {a.entity_id: [] for a in awards}
    for pool, sold, vintage in ((Pool.CURRENT, sold_current, current_vintage),
                                (Pool.ADVANCE, sold_advance, advance_vintage)):
        rows = sorted((a.entity_id, a.current_quantity if pool is Pool.CURRENT else a.advance_quantity)
                      for a in awards)
        columns = sorted((j, q) for j, q in sold.items() if q)
        for (entity_id, jurisdiction), quantity in sorted(apportion(rows, columns).items()):
            out[entity_id].append(DeliveryPlan(entity_id, jurisdiction, pool, vintage, quantity))
    return out


# ---- distribution of proceeds (§95912(i)(3)(B)-(D)) -------------------------------------------

@dataclass(frozen=True)
class Payee:
    """Where a jurisdiction's proceeds go: e.g. CA -> ggrf_proceeds in USD, QC -> qc_proceeds in CAD."""

    account: str
    currency: Currency


@dataclass(frozen=True)
class FxTrade:
    sold: Money
    bought: Money


@dataclass(frozen=True)
class DistributionPlan:
    trades: tuple[FxTrade, ...]
    payouts: dict[Currency, list[tuple[str, int]]] = field(default_factory=dict)
    residual_expected_cents: int = 0
    residual_cents: int = 0


def jurisdiction_values(sold_current: Mapping[str, int], sold_advance: Mapping[str, int],
                        prices: Prices) -> dict[str, int]:
    """Each jurisdiction's allowances sold × the pool's settlement price, in USD cents."""
    out: dict[str, int] = {}
    for j in sorted({*sold_current, *sold_advance}):
        current, advance = prices.pool_cost_usd_cents(sold_current.get(j, 0), sold_advance.get(j, 0))
        out[j] = current + advance
    return out


def plan_distribution(*, receipts: Mapping[Currency, int], consignors: Sequence[tuple[str, Money]],
                      values_usd: Mapping[str, int], payees: Mapping[str, Payee], residual: str,
                      cad_per_usd: Decimal) -> DistributionPlan:
    """Split what the auction brought in (cents per currency) between its beneficiaries.

    Consignors receive the proceeds of their allowances (§95912(i)(3)(D)); each partner
    jurisdiction its allowances' value in its own currency; the residual jurisdiction's fund (the
    Greenhouse Gas Reduction Fund for California, §95912(i)(3)(B)-(C)) the rest, so that rounding
    of conversions never leaves a cent behind. Money in a currency beyond what its payees need is
    converted at the auction exchange rate into the residual payee's currency, and the other way.
    """
    residual_payee = payees[residual]
    rc = residual_payee.currency
    payouts: dict[Currency, list[tuple[str, int]]] = {}
    needs: dict[Currency, int] = {}

    def pay(currency: Currency, account: str, cents: int) -> None:
        payouts.setdefault(currency, []).append((account, cents))
        needs[currency] = needs.get(currency, 0) + cents

    for entity_id, money in sorted(consignors, key=lambda c: c[0]):
        pay(money.currency, consignor_account(entity_id), money.cents)
    for j, value in sorted(values_usd.items()):
        if j != residual:
            payee = payees[j]
            pay(payee.currency, payee.account, convert_cents(value, Currency.USD, payee.currency, cad_per_usd))
    available = {Currency(c): v for c, v in receipts.items()}
    available.setdefault(rc, 0)
    trades: list[FxTrade] = []
    for c in sorted(set(available) | set(needs)):
        if c == rc:
            continue
        surplus = available.get(c, 0) - needs.get(c, 0)
        if surplus > 0:
            got = convert_cents(surplus, c, rc, cad_per_usd)
            trades.append(FxTrade(Money.from_cents(surplus, c), Money.from_cents(got, rc)))
            available[c] = available.get(c, 0) - surplus
            available[rc] += got
        elif surplus < 0:
            cost = convert_cents(-surplus, c, rc, cad_per_usd)
            trades.append(FxTrade(Money.from_cents(cost, rc), Money.from_cents(-surplus, c)))
            available[rc] -= cost
            available[c] = available.get(c, 0) - surplus
    residual_cents = available[rc] - needs.get(rc, 0)
    consigned_in_rc = sum(m.cents for _, m in consignors if m.currency == rc)
    expected = convert_cents(values_usd.get(residual, 0), Currency.USD, rc, cad_per_usd) - consigned_in_rc
    if residual_cents < 0:
        raise DistributionShortfall(currency=str(rc), missing=str(Money.from_cents(-residual_cents, rc).amount))
    payouts.setdefault(rc, []).append((residual_payee.account, residual_cents))
    return DistributionPlan(tuple(trades), payouts, expected, residual_cents)
