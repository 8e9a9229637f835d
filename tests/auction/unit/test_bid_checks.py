"""What a bidder is told when a bid breaks a limit (§95911(b)-(d), §95912(h)(5), §95920), and who may bid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.auction.domain.bidding import (
    Bid,
    BidderTerms,
    Money,
    check_book,
    guarantee_in,
    max_bid_value_cents,
)
from services.auction.domain.clearing_input import Currency, PoolKind
from services.auction.domain.errors import (
    ApplicationClosed,
    BelowReservePrice,
    BidGuaranteeExceeded,
    ChangeReviewPending,
    CurrencyNotAllowed,
    EntityIneligible,
    HoldingLimitExceeded,
    InvalidEligibilityInformation,
    NoIntentToBid,
    NotInLots,
    NotWholeCents,
    PurchaseLimitExceeded,
    RepresentativeFsaInformationMissing,
    RepresentativeIneligible,
    RepresentativeKycIncomplete,
)
from services.auction.domain.participation import (
    Application,
    ApplicationStatus,
    CorporateAssociation,
    EligibilityInformation,
    EntityStanding,
    InvestigationAttestation,
    RepresentativeStanding,
    check_currency,
)

D = Decimal
NOW = datetime(2027, 3, 10, 18, tzinfo=UTC)
USD = BidderTerms(Currency.USD, {PoolKind.CURRENT: 15_000, PoolKind.ADVANCE: 7_500}, 20_000,
                  Money(D("600000.00"), Currency.USD))
_next = iter(range(1_000_000))


def bid(pool: str, price: str, quantity: int, currency: Currency = Currency.USD) -> Bid:
    return Bid(f"b{next(_next)}", "auc", "ent", PoolKind(pool), D(price), currency, quantity, "rep", NOW)


def check(book: list[Bid], terms: BidderTerms = USD, rate: Decimal | None = None) -> None:
    check_book(book, book[-1], terms, reserve_usd=D("27.50"), rate=rate, max_bids_per_pool=100)


def test_the_maximum_bid_value_is_the_highest_price_times_what_is_bid_at_or_above_it():
    # §95912(h)(5)(A)-(B): 40.00 × 5,000 = 200,000; 28.00 × 15,000 = 420,000
    assert max_bid_value_cents([(4000, 5_000), (2800, 10_000)]) == 42_000_000
    assert max_bid_value_cents([(5000, 10_000), (1000, 1_000)]) == 50_000_000
    assert max_bid_value_cents([]) == 0


@pytest.mark.parametrize(("book", "error"), [
    ([bid("current", "27.49", 1_000)], BelowReservePrice),
    ([bid("current", "28.00", 10_000), bid("current", "29.00", 6_000)], PurchaseLimitExceeded),
    ([bid("current", "28.00", 15_000), bid("advance", "28.00", 6_000)], HoldingLimitExceeded),
    ([bid("current", "31.00", 15_000), bid("advance", "29.00", 5_000)], BidGuaranteeExceeded),
    ([bid("current", "28.00", 1_500)], NotInLots),
    ([bid("current", "28.001", 1_000)], NotWholeCents),
    ([bid("current", "40.00", 1_000, Currency.CAD)], CurrencyNotAllowed),
])
def test_a_bid_that_breaks_a_limit_names_the_limit(book, error):
    with pytest.raises(error):
        check(book)


def test_one_guarantee_covers_the_current_and_advance_bids_combined():
    # 30.00 × 15,000 = 450,000 + 28.00 × 5,000 = 140,000 = 590,000 ≤ 600,000; then + max(60 × 1,000, 28 × 6,000)
    check([bid("current", "30.00", 15_000), bid("advance", "28.00", 5_000)])
    wide = BidderTerms(Currency.USD, USD.purchase_limits, 30_000, USD.guarantee)
    with pytest.raises(BidGuaranteeExceeded) as refused:
        check([bid("current", "30.00", 15_000), bid("advance", "28.00", 5_000), bid("advance", "60.00", 1_000)],
              wide)
    assert refused.value.details == {"max_bid_value_usd": "618000.00", "guarantee_usd": "600000.00",
                                     "currency": "USD"}
    with pytest.raises(BidGuaranteeExceeded):
        check([bid("current", "28.00", 1_000)], BidderTerms(Currency.USD, USD.purchase_limits, 20_000, None))


def test_a_cad_bid_is_converted_half_up_and_a_cad_guarantee_down_like_the_engine():
    cad = BidderTerms(Currency.CAD, USD.purchase_limits, 20_000, Money(D("560000.00"), Currency.CAD))
    rate = D("1.35")
    with pytest.raises(BelowReservePrice):  # 37.11 CAD = 27.489 USD -> 27.49; 37.12 CAD = 27.496 -> 27.50
        check([bid("current", "37.11", 1_000, Currency.CAD)], cad, rate)
    check([bid("current", "37.12", 1_000, Currency.CAD)], cad, rate)
    # 40.00 CAD -> 29.63 USD × 14,000 = 414,820 USD; 560,000 CAD -> 414,814.81 USD (down)
    with pytest.raises(BidGuaranteeExceeded):
        check([bid("current", "40.00", 14_000, Currency.CAD)], cad, rate)
    check([bid("current", "40.00", 13_000, Currency.CAD)], cad, rate)


def test_a_guarantee_given_in_the_other_currency_is_converted_down():
    assert guarantee_in(Currency.USD, Money(D("135.00"), Currency.CAD), D("1.35")) == D("100.00")
    assert guarantee_in(Currency.CAD, Money(D("100.00"), Currency.USD), D("1.3333")) == D("133.33")
    assert guarantee_in(Currency.USD, None, None) == D("0.00")


def test_california_entities_bid_in_usd_quebec_entities_in_usd_or_cad():
    check_currency("QC", Currency.CAD)
    check_currency("QC", Currency.USD)
    check_currency("CA", Currency.USD)
    with pytest.raises(CurrencyNotAllowed):
        check_currency("CA", Currency.CAD)


def info(**overrides: object) -> EligibilityInformation:
    values: dict[str, object] = dict(corporate_associations=(), purchase_limit_share=D(1), holding_limit_share=D(1),
                                     holding_limit_headroom=10_000,
                                     investigation_attestation=InvestigationAttestation(False))
    values.update(overrides)
    return EligibilityInformation(**values)  # type: ignore[arg-type]


def test_eligibility_information_allocates_limits_only_among_associated_entities():
    info().validate()
    info(corporate_associations=(CorporateAssociation("parent", "direct"),), purchase_limit_share=D("0.4"),
         holding_limit_share=D("0.4")).validate()
    for bad in (info(purchase_limit_share=D("0.5")), info(holding_limit_headroom=-1),
                info(investigation_attestation=InvestigationAttestation(True, " ")),
                info(corporate_associations=(CorporateAssociation("x", "sister"),))):
        with pytest.raises(InvalidEligibilityInformation):
            bad.validate()


def test_suspended_or_revoked_entities_and_their_representatives_are_not_eligible():
    EntityStanding("e", "E", "covered", "CA", "approved", "H1", "open").require_eligible()
    with pytest.raises(EntityIneligible):
        EntityStanding("e", "E", "covered", "CA", "suspended", "H1", "open").require_eligible()
    with pytest.raises(EntityIneligible):
        EntityStanding("e", "E", "covered", "CA", "approved", "H1", "revoked").require_eligible()
    ok = RepresentativeStanding("i", frozenset({"alternate"}), "approved", True)
    ok.require_may_bid()
    for standing, error in (
        (RepresentativeStanding("i", frozenset({"primary"}), "registered", True), RepresentativeKycIncomplete),
        (RepresentativeStanding("i", frozenset({"primary"}), "approved", False), RepresentativeFsaInformationMissing),
        (RepresentativeStanding("i", frozenset({"primary"}), "approved", True, ("other",)), RepresentativeIneligible),
    ):
        with pytest.raises(error):
            standing.require_may_bid()


def application() -> Application:
    entity = EntityStanding("e", "E", "covered", "CA", "approved", "H1", "open")
    return Application.submit(auction_id="a", entity=entity, currency=Currency.USD, intends_to_bid=True,
                              info=info(), by="rep", now=NOW)


def test_a_change_after_approval_waits_for_review_and_a_denial_is_final():
    a = application()
    a.decide_eligibility(approve=True, reason=None, by="eo", now=NOW)
    a.decide_participation(approve=True, reason=None, by="eo", now=NOW)
    assert a.status is ApplicationStatus.APPROVED
    a.amend(info=info(holding_limit_headroom=5_000), intends_to_bid=None, late=True, now=NOW)
    assert a.review_pending and a.late_change_at == NOW
    with pytest.raises(ChangeReviewPending):
        a.decide_participation(approve=True, reason=None, by="eo", now=NOW)
    a.decide_eligibility(approve=False, reason="material change (§95912(d)(5))", by="eo", now=NOW)
    assert a.status is ApplicationStatus.DENIED
    with pytest.raises(ApplicationClosed):
        a.amend(info=info(), intends_to_bid=None, late=True, now=NOW)


def test_intent_to_bid_cannot_be_given_within_30_days():
    a = application()
    a.amend(info=None, intends_to_bid=False, late=True, now=NOW)
    with pytest.raises(NoIntentToBid):
        a.amend(info=None, intends_to_bid=True, late=True, now=NOW)
