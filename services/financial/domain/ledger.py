"""The money ledger: double entry, one ledger per currency, Decimal amounts in whole cents.

An entry is in one currency and its postings sum to zero (debits positive, credits negative), so
every currency's ledger balances on its own; a conversion is two entries, one per currency,
tied by a reference. Chart of accounts (docs/financial.md):

- ``guarantee_custody:<form>`` (debit): bid guarantees the FSA holds, by form (§95912(h)(1)).
- ``guarantees_held:<entity>`` (credit): what the FSA owes back to the bidder on them.
- ``settlement_bank`` (debit): settlement money on hand.
- ``cash_received`` / ``guarantees_drawn`` (credit): where settlement money came from.
- ``refunds_payable:<entity>`` (credit): cash received beyond an invoice, owed back.
- ``ggrf_proceeds``, ``qc_proceeds``, ``consignor_proceeds:<entity>`` (debit): proceeds remitted
  (§95912(i)(3)(C), (D)).
- ``fx_exchange``: the counterpart of a conversion between currencies at the auction rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from services.financial.domain.errors import LedgerInvariantViolated
from services.financial.domain.money import Currency, Money

SETTLEMENT_BANK = "settlement_bank"
CASH_RECEIVED = "cash_received"
GUARANTEES_DRAWN = "guarantees_drawn"
FX_EXCHANGE = "fx_exchange"
GUARANTEES_HELD = "guarantees_held"
GUARANTEE_CUSTODY = "guarantee_custody"
REFUNDS_PAYABLE = "refunds_payable"
CONSIGNOR_PROCEEDS = "consignor_proceeds"
PAYOUT_SUFFIX = "_proceeds"  # ggrf_proceeds, qc_proceeds, consignor_proceeds:<entity>, ...
ZERO = Decimal("0.00")


def held_account(entity_id: str) -> str:
    return f"{GUARANTEES_HELD}:{entity_id}"


def custody_account(form: str) -> str:
    return f"{GUARANTEE_CUSTODY}:{form}"


def refunds_account(entity_id: str) -> str:
    return f"{REFUNDS_PAYABLE}:{entity_id}"


def consignor_account(entity_id: str) -> str:
    return f"{CONSIGNOR_PROCEEDS}:{entity_id}"


def family(account: str) -> str:
    """The account without its qualifier: guarantees_held:ent_1 -> guarantees_held."""
    return account.split(":", 1)[0]


class EntryKind(StrEnum):
    GUARANTEE_RECEIVED = "guarantee_received"
    GUARANTEE_RETURNED = "guarantee_returned"  # unused cash returned, other forms released (§95912(i)(3)(E)-(F))
    GUARANTEE_DRAWN = "guarantee_drawn"  # §95912(i)(3)(B)
    PAYMENT_RECEIVED = "payment_received"  # §95912(i)(3)(A)
    REFUND_PAID = "refund_paid"
    PROCEEDS_DISTRIBUTED = "proceeds_distributed"  # §95912(i)(3)(B)-(D)
    FX_CONVERSION = "fx_conversion"


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # debit > 0, credit < 0


@dataclass(frozen=True)
class LedgerEntry:
    kind: EntryKind
    currency: Currency
    postings: tuple[Posting, ...]
    auction_id: str | None = None
    entity_id: str | None = None
    guarantee_id: str | None = None
    invoice_id: str | None = None
    reference: str | None = None
    memo: str = ""

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise LedgerInvariantViolated("an entry needs at least two postings")
        for posting in self.postings:
            scaled = posting.amount.scaleb(2)
            if posting.amount == 0 or scaled != scaled.to_integral_value():
                raise LedgerInvariantViolated(f"posting {posting} is zero or not whole cents")
        total = sum((p.amount for p in self.postings), ZERO)
        if total != 0:
            raise LedgerInvariantViolated(f"{self.kind} in {self.currency} does not balance: {total}")


def entry(kind: EntryKind, currency: Currency, legs: Iterable[tuple[str, Decimal]], **refs: str | None) -> LedgerEntry:
    """An entry from (account, signed amount) legs; zero legs are dropped, equal accounts merged."""
    merged: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for account, amount in legs:
        merged[account] += amount
    postings = tuple(Posting(a, v) for a, v in merged.items() if v != 0)
    memo = refs.pop("memo", None) or ""
    return LedgerEntry(kind, Currency(currency), postings, memo=memo, **refs)


def transfer(kind: EntryKind, money: Money, *, debit: str, credit: str, **refs: str | None) -> LedgerEntry:
    return entry(kind, money.currency, [(debit, money.amount), (credit, -money.amount)], **refs)


# ---- the entries the service makes ---------------------------------------------------------------

def guarantee_received(entity_id: str, form: str, money: Money, **refs: str | None) -> LedgerEntry:
    return transfer(EntryKind.GUARANTEE_RECEIVED, money, debit=custody_account(form),
                    credit=held_account(entity_id), entity_id=entity_id, **refs)


def guarantee_returned(entity_id: str, form: str, money: Money, **refs: str | None) -> LedgerEntry:
    return transfer(EntryKind.GUARANTEE_RETURNED, money, debit=held_account(entity_id),
                    credit=custody_account(form), entity_id=entity_id, **refs)


def guarantee_drawn(entity_id: str, form: str, money: Money, **refs: str | None) -> LedgerEntry:
    """The guarantee is consumed and its value paid into the settlement account (§95912(i)(3)(B))."""
    a = money.amount
    return entry(EntryKind.GUARANTEE_DRAWN, money.currency, [
        (held_account(entity_id), a), (custody_account(form), -a),
        (SETTLEMENT_BANK, a), (GUARANTEES_DRAWN, -a),
    ], entity_id=entity_id, **refs)


def payment_received(entity_id: str, applied: Money, excess: Money, **refs: str | None) -> LedgerEntry:
    """A wire from a winner: what the invoice needed is cash received, the rest is owed back."""
    return entry(EntryKind.PAYMENT_RECEIVED, applied.currency, [
        (SETTLEMENT_BANK, applied.amount + excess.amount),
        (CASH_RECEIVED, -applied.amount), (refunds_account(entity_id), -excess.amount),
    ], entity_id=entity_id, **refs)


def refund_paid(entity_id: str, money: Money, **refs: str | None) -> LedgerEntry:
    return transfer(EntryKind.REFUND_PAID, money, debit=refunds_account(entity_id), credit=SETTLEMENT_BANK,
                    entity_id=entity_id, **refs)


def proceeds_distributed(currency: Currency, payouts: Iterable[tuple[str, int]], **refs: str | None) -> LedgerEntry:
    """Remit proceeds: (payee account, cents) out of the settlement account."""
    legs = [(account, Decimal(cents).scaleb(-2)) for account, cents in payouts if cents]
    total = sum((amount for _, amount in legs), ZERO)
    return entry(EntryKind.PROCEEDS_DISTRIBUTED, currency, [*legs, (SETTLEMENT_BANK, -total)], **refs)


def fx_conversion(sold: Money, bought: Money, **refs: str | None) -> tuple[LedgerEntry, LedgerEntry]:
    """Sell `sold` for `bought` at the auction rate: one balanced entry in each currency."""
    return (
        transfer(EntryKind.FX_CONVERSION, sold, debit=FX_EXCHANGE, credit=SETTLEMENT_BANK, **refs),
        transfer(EntryKind.FX_CONVERSION, bought, debit=SETTLEMENT_BANK, credit=FX_EXCHANGE, **refs),
    )


# ---- reconciliation ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Total:
    """The sum of postings of one kind to one account family, in one currency."""

    currency: str
    kind: str
    family: str
    debits: Decimal
    credits: Decimal  # positive


@dataclass
class CurrencyReconciliation:
    currency: str
    guarantees_received: Decimal = ZERO
    guarantees_drawn: Decimal = ZERO
    guarantees_returned: Decimal = ZERO
    guarantees_held: Decimal = ZERO
    guarantees_in_custody: Decimal = ZERO
    cash_received: Decimal = ZERO
    drawn_proceeds: Decimal = ZERO  # the guarantees_drawn account: money the draws brought in
    overpayments_received: Decimal = ZERO
    refunds_paid: Decimal = ZERO
    fx_in: Decimal = ZERO
    fx_out: Decimal = ZERO
    paid_out: dict[str, Decimal] = field(default_factory=dict)
    settlement_bank: Decimal = ZERO
    trial_balance: Decimal = ZERO

    @property
    def paid_out_total(self) -> Decimal:
        return sum(self.paid_out.values(), ZERO)

    @property
    def refunds_outstanding(self) -> Decimal:
        return self.overpayments_received - self.refunds_paid

    @property
    def undistributed(self) -> Decimal:
        """Settlement money on hand that belongs to proceeds (not to refunds)."""
        return self.settlement_bank - self.refunds_outstanding

    @property
    def guarantees_balanced(self) -> bool:
        """Received = drawn + returned + still held, and what is held is in custody."""
        return (self.guarantees_received == self.guarantees_drawn + self.guarantees_returned + self.guarantees_held
                and self.guarantees_held == self.guarantees_in_custody)

    @property
    def proceeds_balanced(self) -> bool:
        """Paid out + still undistributed = cash received + guarantees drawn + net conversions."""
        return (self.drawn_proceeds == self.guarantees_drawn
                and self.paid_out_total + self.undistributed
                == self.cash_received + self.drawn_proceeds + self.fx_in - self.fx_out)

    @property
    def balanced(self) -> bool:
        return self.trial_balance == 0 and self.guarantees_balanced and self.proceeds_balanced


def reconcile(totals: Iterable[Total]) -> dict[str, CurrencyReconciliation]:
    """Compute each currency's reconciliation from per (kind, account family) sums of postings."""
    out: dict[str, CurrencyReconciliation] = {}
    for t in totals:
        r = out.setdefault(t.currency, CurrencyReconciliation(t.currency))
        net = t.debits - t.credits
        r.trial_balance += net
        kind, fam = EntryKind(t.kind), t.family
        if fam == GUARANTEES_HELD:
            r.guarantees_held -= net
            if kind is EntryKind.GUARANTEE_RECEIVED:
                r.guarantees_received += t.credits
            elif kind is EntryKind.GUARANTEE_DRAWN:
                r.guarantees_drawn += t.debits
            elif kind is EntryKind.GUARANTEE_RETURNED:
                r.guarantees_returned += t.debits
        elif fam == GUARANTEE_CUSTODY:
            r.guarantees_in_custody += net
        elif fam == CASH_RECEIVED:
            r.cash_received -= net
        elif fam == GUARANTEES_DRAWN:
            r.drawn_proceeds -= net
        elif fam == REFUNDS_PAYABLE:
            r.overpayments_received += t.credits
            r.refunds_paid += t.debits
        elif fam == SETTLEMENT_BANK:
            r.settlement_bank += net
            if kind is EntryKind.FX_CONVERSION:
                r.fx_in += t.debits
                r.fx_out += t.credits
        elif fam.endswith(PAYOUT_SUFFIX):
            r.paid_out[fam] = r.paid_out.get(fam, ZERO) + net
    return out
