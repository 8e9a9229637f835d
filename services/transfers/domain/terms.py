"""What a transfer request says about its transaction (§95921(b)(2)–(b)(6), (a)(4)) and its checks.

Every check returns `Problem`s rather than raising, so one answer lists everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

# §95921(b)(2): the three types of transaction agreement
OTC_SPOT = "otc_spot"  # (b)(2)(A): delivery no more than three days after the agreement
OTC_FORWARD = "otc_forward"  # (b)(2)(B): later delivery, several transfers, or bundled products
EXCHANGE = "exchange"  # (b)(2)(C): through an exchange or Board of Trade
TRANSACTION_TYPES = (OTC_SPOT, OTC_FORWARD, EXCHANGE)

# §95921(b)(4)(E)–(G): how the price of an over-the-counter forward agreement is set
PRICING_FIXED = "fixed"
PRICING_COST_PLUS = "cost_plus"
PRICING_OTHER = "other"
PRICING_METHODS = (PRICING_FIXED, PRICING_COST_PLUS, PRICING_OTHER)

# §95921(b)(6)(A)–(H): the only agreement types that may carry a zero price
ZERO_PRICE_REASONS: dict[str, str] = {
    "A": "transfer between entities with a direct corporate association",
    "B": "transfer from an entity's holding account to its compliance account",
    "C": "publicly owned utility to an entity or Joint Powers Authority operating a generation facility "
         "as a joint venture with the utility",
    "D": "public utility to a federal power authority to cover emissions of imported power",
    "E": "electric distribution utility to an entity operating a generation facility under a tolling or "
         "long-term power purchase agreement without a price for the instruments alone",
    "F": "agreement bundling compliance instruments with other products, with a total cost but no price "
         "for the instruments alone",
    "G": "publicly owned utility to an entity operating a generation facility from which the utility "
         "obtains electricity",
    "H": "agreement requiring the production of a new ARB offset credit (or transition of an early action "
         "offset credit) without a price for it",
}

AGREEMENT_KINDS = ("written", "recorded_oral")  # §95921(a)(4)
CURRENCIES = ("USD", "CAD")  # §95921(b)(3)(C): U.S. or Canadian dollars
SPOT_DELIVERY_DAYS = 3  # §95921(b)(2)(A)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Terms:
    """The transaction behind a transfer request, as entered by the source representative."""

    transaction_type: str
    agreement_date: date | None = None
    expected_termination_date: date | None = None
    termination_not_specified: bool = False  # (b)(3)(B)/(b)(4)(B): "Not Specified"
    price: Decimal | None = None
    currency: str | None = None
    zero_price_reason: str | None = None
    further_transfers: bool | None = None  # (b)(4)(C)
    other_products: bool | None = None  # (b)(4)(D)
    pricing_method: str | None = None  # (b)(4)(E)–(G)
    cost_base: Decimal | None = None  # (b)(4)(F)
    margin: Decimal | None = None  # (b)(4)(F)
    pricing_description: str | None = None  # (b)(4)(G)
    exchange: str | None = None  # (b)(5)(A)
    contract_code: str | None = None  # (b)(5)(B)
    close_of_trading_date: date | None = None  # (b)(5)(C); the price is the close price (b)(5)(D)
    agreement_kind: str | None = None  # (a)(4)
    agreement_reference: str | None = None  # (a)(4)

    def normalized(self) -> Terms:
        """Cost base plus margin gives the price when the representative did not state it ((b)(4)(F))."""
        if (
            self.transaction_type == OTC_FORWARD
            and self.pricing_method == PRICING_COST_PLUS
            and self.price is None
            and self.cost_base is not None
            and self.margin is not None
        ):
            return replace(self, price=self.cost_base + self.margin)
        return self


@dataclass(frozen=True)
class PartyFacts:
    """What the checks need to know about the two sides of a transfer."""

    same_entity: bool
    direct_associates: bool  # §95833, as published by the registry
    holding_to_compliance: bool  # one entity's holding account to its compliance account
    source_is_clearing: bool  # an exchange clearing holding account, §95921(h)(3)


def _missing(field: str, rule: str, what: str) -> Problem:
    return Problem(field, "required", rule, f"{what} is required ({rule})")


def _check_agreement_dates(t: Terms, submitted_on: date, rule: str, out: list[Problem]) -> None:
    if t.agreement_date is None:
        out.append(_missing("agreement_date", f"§95921{rule}(A)", "the date the agreement was entered into"))
    elif t.agreement_date > submitted_on:
        out.append(Problem("agreement_date", "date_in_future", f"§95921{rule}(A)",
                           "the agreement date cannot be after the submission date"))
    if t.expected_termination_date is None and not t.termination_not_specified:
        out.append(_missing("expected_termination_date", f"§95921{rule}(B)",
                            "the expected termination date (or termination_not_specified)"))
    if t.expected_termination_date is not None and t.termination_not_specified:
        out.append(Problem("expected_termination_date", "conflicting_fields", f"§95921{rule}(B)",
                           "give an expected termination date or 'not specified', not both"))
    if (
        t.expected_termination_date is not None
        and t.agreement_date is not None
        and t.expected_termination_date < t.agreement_date
    ):
        out.append(Problem("expected_termination_date", "before_agreement_date", f"§95921{rule}(B)",
                           "the expected termination date cannot precede the agreement date"))


def _check_spot(t: Terms, submitted_on: date, exempt: bool, out: list[Problem]) -> None:
    if exempt:
        return  # §95921(h)(3)
    _check_agreement_dates(t, submitted_on, "(b)(3)", out)
    if t.agreement_date is not None and submitted_on - t.agreement_date > timedelta(days=SPOT_DELIVERY_DAYS):
        out.append(Problem("transaction_type", "not_spot_delivery", "§95921(b)(2)(A)",
                           "delivery cannot take place within three days of an agreement entered into more "
                           "than three days ago: use otc_forward ((b)(2)(B))"))
    if t.price is None:
        out.append(_missing("price", "§95921(b)(3)(C)", "the price per instrument"))


def _check_forward(t: Terms, submitted_on: date, exempt: bool, out: list[Problem]) -> None:
    if exempt:
        return  # §95921(h)(3)
    _check_agreement_dates(t, submitted_on, "(b)(4)", out)
    if t.further_transfers is None:
        out.append(_missing("further_transfers", "§95921(b)(4)(C)", "whether further transfers follow"))
    if t.other_products is None:
        out.append(_missing("other_products", "§95921(b)(4)(D)", "whether other products are transferred"))
    if t.pricing_method is None:
        out.append(_missing("pricing_method", "§95921(b)(4)(E)-(G)", "the pricing method"))
    elif t.pricing_method == PRICING_COST_PLUS:
        if t.cost_base is None:
            out.append(_missing("cost_base", "§95921(b)(4)(F)", "the cost base"))
        if t.margin is None:
            out.append(_missing("margin", "§95921(b)(4)(F)", "the margin"))
    elif t.pricing_method == PRICING_OTHER and not (t.pricing_description or "").strip():
        out.append(_missing("pricing_description", "§95921(b)(4)(G)", "a description of the pricing method"))
    if t.price is None:
        rule = {PRICING_OTHER: "§95921(b)(4)(G)", PRICING_COST_PLUS: "§95921(b)(4)(F)"}.get(
            t.pricing_method or "", "§95921(b)(4)(E)")
        out.append(_missing("price", rule, "the price for this transfer"))


def _check_exchange(t: Terms, out: list[Problem]) -> None:
    if not (t.exchange or "").strip():
        out.append(_missing("exchange", "§95921(b)(5)(A)", "the exchange where the transaction was conducted"))
    if not (t.contract_code or "").strip():
        out.append(_missing("contract_code", "§95921(b)(5)(B)", "the exchange's contract description code"))
    if t.close_of_trading_date is None:
        out.append(_missing("close_of_trading_date", "§95921(b)(5)(C)", "the date of close of trading"))
    if t.price is None:
        out.append(_missing("price", "§95921(b)(5)(D)", "the price at close of trading"))


def _check_price(t: Terms, facts: PartyFacts, out: list[Problem]) -> None:
    if t.price is not None:
        if t.price < 0:
            out.append(Problem("price", "negative_price", "§95921(b)(3)(C)", "the price cannot be negative"))
        if t.price.as_tuple().exponent < -2:  # type: ignore[operator]
            out.append(Problem("price", "too_many_decimals", "§95921(b)(3)(C)", "prices are in whole cents"))
        if t.currency not in CURRENCIES:
            out.append(Problem("currency", "required", "§95921(b)(3)(C)",
                               "the price's currency is required: USD or CAD"))
    is_zero = t.price is not None and t.price == 0
    reason = t.zero_price_reason
    if reason is not None and reason not in ZERO_PRICE_REASONS:
        out.append(Problem("zero_price_reason", "unknown_zero_price_reason", "§95921(b)(6)",
                           "the reason must be one of A–H of §95921(b)(6)"))
        return
    if is_zero and reason is None and not facts.source_is_clearing:
        out.append(Problem("zero_price_reason", "zero_price_requires_reason", "§95921(b)(6)",
                           "a price of zero needs the disclosed agreement type, A–H of §95921(b)(6)"))
    if reason is not None and not is_zero:
        out.append(Problem("zero_price_reason", "reason_without_zero_price", "§95921(b)(6)",
                           "a zero-price reason is disclosed only with a price of zero"))
    if is_zero and reason == "A" and not facts.direct_associates:
        out.append(Problem("zero_price_reason", "not_direct_associates", "§95921(b)(6)(A)",
                           "the parties are not disclosed direct corporate associates (§95833)"))
    if is_zero and reason == "B" and not facts.holding_to_compliance:
        out.append(Problem("zero_price_reason", "not_holding_to_compliance", "§95921(b)(6)(B)",
                           "reason B applies only from an entity's holding account to its compliance account"))


def _check_agreement(t: Terms, facts: PartyFacts, out: list[Problem]) -> None:
    if facts.same_entity or facts.direct_associates:
        return  # §95921(a)(4): no agreement needed between direct corporate associates
    if t.agreement_kind not in AGREEMENT_KINDS:
        out.append(Problem("agreement_kind", "agreement_required", "§95921(a)(4)",
                           "a written or recorded oral transaction agreement is required between "
                           "entities that are not direct corporate associates"))
    if not (t.agreement_reference or "").strip():
        out.append(Problem("agreement_reference", "agreement_required", "§95921(a)(4)",
                           "identify the transaction agreement authorizing the transfer"))


def check_terms(terms: Terms, facts: PartyFacts, submitted_on: date) -> list[Problem]:
    """Every problem with the transaction fields of a request (§95921(b)(2)–(b)(6), (a)(4))."""
    out: list[Problem] = []
    t = terms
    if t.transaction_type not in TRANSACTION_TYPES:
        out.append(Problem("transaction_type", "unknown_transaction_type", "§95921(b)(2)",
                           "the transaction type must be otc_spot, otc_forward or exchange"))
        return out
    exempt = facts.source_is_clearing  # §95921(h)(3): (b)(3), (b)(4) and (b)(6) not required
    if t.pricing_method is not None and t.pricing_method not in PRICING_METHODS:
        out.append(Problem("pricing_method", "unknown_pricing_method", "§95921(b)(4)(E)-(G)",
                           "the pricing method must be fixed, cost_plus or other"))
    if t.transaction_type == OTC_SPOT:
        _check_spot(t, submitted_on, exempt, out)
    elif t.transaction_type == OTC_FORWARD:
        _check_forward(t, submitted_on, exempt, out)
    else:
        _check_exchange(t, out)
    _check_price(t, facts, out)
    _check_agreement(t, facts, out)
    return out
