"""Request bodies of the auction API, and their translation to domain values.

Money and rates are decimal strings ("27.50"); a JSON float is refused so that no amount ever
passes through binary floating point. Quantities are JSON integers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

from services.auction.domain.clearing_input import JurisdictionOffer, PoolKind
from services.auction.domain.lifecycle import Notice, Offers, PurchaseLimitRates
from services.auction.domain.participation import (
    CorporateAssociation,
    EligibilityInformation,
    InvestigationAttestation,
)


def _exact_decimal(value: object) -> object:
    if isinstance(value, (bool, float)):
        raise ValueError('give amounts as decimal strings, e.g. "27.50" (floats are refused)')
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact_decimal)]
Quantity = Annotated[int, Field(strict=True, ge=0)]
PositiveQuantity = Annotated[int, Field(strict=True)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferBody(_Body):
    state_owned: Quantity = 0
    consigned: dict[str, Quantity] = {}
    untimely_surrender: Quantity = 0
    reintroduced_state_owned: Quantity = 0

    def to_domain(self) -> JurisdictionOffer:
        return JurisdictionOffer(state_owned=self.state_owned, consigned=dict(self.consigned),
                                 untimely_surrender=self.untimely_surrender,
                                 reintroduced_state_owned=self.reintroduced_state_owned)


class OffersBody(_Body):
    current: dict[str, OfferBody]  # §95912(c)(6): jurisdiction -> quantities of the Current Auction
    advance: dict[str, OfferBody] = {}

    def to_domain(self) -> Offers:
        return {PoolKind.CURRENT: {j: o.to_domain() for j, o in self.current.items()},
                PoolKind.ADVANCE: {j: o.to_domain() for j, o in self.advance.items()}}


class RatesBody(_Body):
    current_covered_entity: ExactDecimal = Decimal("0.15")
    current_electrical_distribution_utility: ExactDecimal = Decimal("0.40")
    current_other: ExactDecimal = Decimal("0.04")
    advance: ExactDecimal = Decimal("0.25")

    @field_validator("*")
    @classmethod
    def _fraction(cls, value: Decimal) -> Decimal:
        if not Decimal(0) < value <= Decimal(1):
            raise ValueError("a purchase limit is a fraction greater than 0 and at most 1")
        return value


class PublishNoticeBody(_Body):
    """§95912(c): (1) date and time; (2)-(5) texts; (6) quantities; (7) annual figures in Q1; (8) linked."""

    jurisdictions: list[str] = Field(min_length=1)
    bidding_opens_at: AwareDatetime
    bidding_closes_at: AwareDatetime
    application_instructions: str = ""
    bid_submission: str = ""
    procedures: str = ""
    administrative_requirements: str = ""
    annual_allowances: dict[str, Quantity] | None = None
    offers: OffersBody
    purchase_limit_rates: RatesBody | None = None

    def notice(self) -> Notice:
        return Notice(self.application_instructions, self.bid_submission, self.procedures,
                      self.administrative_requirements, self.annual_allowances)

    def rates(self) -> PurchaseLimitRates | None:
        if self.purchase_limit_rates is None:
            return None
        return PurchaseLimitRates(**self.purchase_limit_rates.model_dump())


class ExchangeRateBody(_Body):
    cad_per_usd: ExactDecimal


class DelayBody(_Body):
    minutes: PositiveQuantity
    reason: str = Field(min_length=1, max_length=2000)


class RescheduleBody(_Body):
    bidding_opens_at: AwareDatetime
    bidding_closes_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=2000)


class ReasonBody(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class AssociationBody(_Body):
    entity_id: str = Field(min_length=1, max_length=40)
    kind: Literal["direct", "indirect"]


class AttestationBody(_Body):
    has_investigations: bool
    details: str = Field(default="", max_length=20_000)


class EligibilityBody(_Body):
    """§95912(d)(4)(A)-(D); the declared holding-limit headroom (docs/auction.md)."""

    corporate_associations: list[AssociationBody] = []
    purchase_limit_share: ExactDecimal = Decimal(1)
    holding_limit_share: ExactDecimal = Decimal(1)
    holding_limit_headroom: Quantity
    investigation_attestation: AttestationBody

    def to_domain(self) -> EligibilityInformation:
        return EligibilityInformation(
            corporate_associations=tuple(CorporateAssociation(a.entity_id, a.kind)
                                         for a in self.corporate_associations),
            purchase_limit_share=self.purchase_limit_share,
            holding_limit_share=self.holding_limit_share,
            holding_limit_headroom=self.holding_limit_headroom,
            investigation_attestation=InvestigationAttestation(self.investigation_attestation.has_investigations,
                                                               self.investigation_attestation.details),
        )


class ApplicationBody(_Body):
    entity_id: str = Field(min_length=1, max_length=40)
    currency: Literal["USD", "CAD"] = "USD"
    intends_to_bid: bool  # §95912(e)
    eligibility: EligibilityBody


class AmendApplicationBody(_Body):
    intends_to_bid: bool | None = None
    eligibility: EligibilityBody | None = None


class DecisionBody(_Body):
    decision: Literal["approve", "deny"]
    reason: str | None = Field(default=None, max_length=2000)


class BidBody(_Body):
    entity_id: str = Field(min_length=1, max_length=40)
    pool: Literal["current", "advance"]
    price: ExactDecimal  # per allowance, whole cents (§95911(b))
    currency: Literal["USD", "CAD"]
    quantity: PositiveQuantity  # a multiple of 1,000 (§95911(b))


class ChangeBidBody(_Body):
    price: ExactDecimal
    quantity: PositiveQuantity


class CertificationBody(_Body):
    meets_requirements: bool = True  # §95912(i)(1)
    note: str | None = Field(default=None, max_length=5000)


class FsaInformationBody(_Body):
    """§95912(d)(6)(B): the financial services administrator's information (Appendix A)."""

    legal_name: str = Field(min_length=1, max_length=300)
    title: str = Field(min_length=1, max_length=200)
    employer: str = Field(min_length=1, max_length=300)
    telephone: str = Field(min_length=5, max_length=40)
    email: EmailStr
    mailing_address: str = Field(min_length=1, max_length=1000)
    attests_information_is_true: bool

    @field_validator("attests_information_is_true")
    @classmethod
    def _attested(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the information must be attested")
        return value
