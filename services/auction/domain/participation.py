"""Applications: eligibility (§95912(d)) and participation approval (§95912(e)); who may bid.

What the auction service knows of entities, accounts and individuals comes from the registry's
and identity's events (EntityStanding, RepresentativeStanding are built from them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.auction.domain.clearing_input import Currency
from services.auction.domain.errors import (
    ApplicationClosed,
    ChangeReviewPending,
    CurrencyNotAllowed,
    EntityIneligible,
    EntityNotRegistered,
    InvalidEligibilityInformation,
    NoIntentToBid,
    NotARepresentative,
    NotEligible,
    RepresentativeFsaInformationMissing,
    RepresentativeIneligible,
    RepresentativeKycIncomplete,
    WrongAuctionState,
)
from services.auction.domain.lifecycle import MAX_QUANTITY
from services.auction.domain.reserve import JURISDICTION_CURRENCY

INELIGIBLE_STATUSES = frozenset({"suspended", "revoked"})  # §95912(d)(3)
ACTING_ROLES = frozenset({"primary", "alternate"})  # §95832, §95912(d)(6): PAR and AAR bid
VIEWING_ROLES = ACTING_ROLES | {"viewing_agent"}  # viewing agents see, never act


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"  # awaiting the executive officer's eligibility decision (§95912(d)(1))
    ELIGIBLE = "eligible"  # declared eligible; participation not yet approved (§95912(e))
    APPROVED = "approved"  # approved to participate: may bid
    DENIED = "denied"


@dataclass(frozen=True)
class CorporateAssociation:
    entity_id: str
    kind: str  # "direct" or "indirect" (§95833)


@dataclass(frozen=True)
class InvestigationAttestation:
    """§95912(d)(4)(D): investigations in the last ten years, of the entity and its direct associates."""

    has_investigations: bool
    details: str = ""


@dataclass(frozen=True)
class EligibilityInformation:
    """§95912(d)(4). Shares are fractions (0, 1] of the association's limits allotted to this entity.

    holding_limit_headroom is the number of allowances the entity declares it may still acquire
    under its (allotted) holding limit; the registry enforces the holding limit itself when it
    delivers (§95920, §95912(i)(4)).
    """

    corporate_associations: tuple[CorporateAssociation, ...]  # (A)
    purchase_limit_share: Decimal  # (B)
    holding_limit_share: Decimal  # (C)
    holding_limit_headroom: int
    investigation_attestation: InvestigationAttestation  # (D)

    def validate(self) -> None:
        problems: list[str] = []
        for association in self.corporate_associations:
            if association.kind not in ("direct", "indirect") or not association.entity_id.strip():
                problems.append("corporate_associations: each needs an entity_id and kind direct|indirect")
                break
        for name, share in (("purchase_limit_share", self.purchase_limit_share),
                            ("holding_limit_share", self.holding_limit_share)):
            if not share.is_finite() or not Decimal(0) < share <= Decimal(1):
                problems.append(f"{name} must be a fraction greater than 0 and at most 1")
            elif not self.corporate_associations and share != 1:
                problems.append(f"{name} is allocated among associated entities only (§95912(d)(4)(B)-(C))")
        if not 0 <= self.holding_limit_headroom <= MAX_QUANTITY:
            problems.append(f"holding_limit_headroom is from 0 to {MAX_QUANTITY}")
        attestation = self.investigation_attestation
        if attestation.has_investigations and not attestation.details.strip():
            problems.append("investigation_attestation.details must describe the investigations")
        if problems:
            raise InvalidEligibilityInformation("the eligibility information is not valid", problems=problems)


@dataclass(frozen=True)
class EntityStanding:
    """An entity as the registry last described it, with its holding account."""

    entity_id: str
    legal_name: str
    entity_type: str
    jurisdiction: str
    status: str
    holding_account: str | None = None
    holding_account_status: str | None = None

    def require_registered(self) -> None:
        if self.status not in ("approved", *INELIGIBLE_STATUSES):  # §95912(d)(2)
            raise EntityNotRegistered("the entity is not registered in the program", status=self.status)

    def require_eligible(self) -> None:
        """§95912(d)(3): not with a revoked or currently suspended holding account."""
        self.require_registered()
        if self.status in INELIGIBLE_STATUSES or self.holding_account_status in INELIGIBLE_STATUSES:
            raise EntityIneligible("the entity or its holding account is suspended or revoked",
                                   entity_id=self.entity_id)


@dataclass(frozen=True)
class RepresentativeStanding:
    """One individual, as identity and the registry describe them, relative to one entity."""

    individual_id: str
    roles: frozenset[str] = frozenset()  # this individual's roles on the entity's accounts
    kyc_status: str | None = None
    fsa_information_given: bool = False
    ineligible_associations: tuple[str, ...] = field(default=())  # suspended/revoked entities represented

    @property
    def may_view(self) -> bool:
        return bool(self.roles & VIEWING_ROLES)

    def require_may_act(self) -> None:
        if not self.roles & ACTING_ROLES:
            raise NotARepresentative("only a primary or alternate account representative of the entity may act")

    def require_may_bid(self) -> None:
        self.require_may_act()
        if self.kyc_status != "approved":  # §95912(d)(6)(A)
            raise RepresentativeKycIncomplete("the representative has not passed Know-Your-Customer checks",
                                              kyc_status=self.kyc_status)
        if not self.fsa_information_given:  # §95912(d)(6)(B)
            raise RepresentativeFsaInformationMissing(
                "the representative has not submitted the financial services administrator's information")
        if self.ineligible_associations:  # §95912(d)(3)
            raise RepresentativeIneligible("the representative is associated with a suspended or revoked entity")


def check_currency(jurisdiction: str, currency: Currency) -> None:
    """§95912(h)(2), (h)(4): California entities use USD; Québec entities may use USD or CAD."""
    if currency is not Currency.USD and JURISDICTION_CURRENCY.get(jurisdiction) is not currency:
        raise CurrencyNotAllowed(f"an entity registered with {jurisdiction} bids in USD",
                                 jurisdiction=jurisdiction, currency=currency.value)


@dataclass
class Application:
    auction_id: str
    entity_id: str
    jurisdiction: str
    currency: Currency
    intends_to_bid: bool
    info: EligibilityInformation
    submitted_at: datetime
    submitted_by: str
    status: ApplicationStatus = ApplicationStatus.SUBMITTED
    updated_at: datetime | None = None
    late_change_at: datetime | None = None  # changed within 30 days of the auction (§95912(d)(5))
    review_pending: bool = False
    eligibility_decided_at: datetime | None = None
    eligibility_decided_by: str | None = None
    participation_decided_at: datetime | None = None
    participation_decided_by: str | None = None
    denial_reason: str | None = None
    registry_headroom: int | None = None  # the registry's headroom last seen at bid entry (§95920)
    registry_headroom_at: datetime | None = None

    @property
    def holding_limit_headroom(self) -> int:
        """The declared headroom, lowered to the registry's when the registry told us less."""
        declared = self.info.holding_limit_headroom
        return declared if self.registry_headroom is None else min(declared, self.registry_headroom)

    @property
    def headroom_source(self) -> str:
        if self.registry_headroom is not None and self.registry_headroom < self.info.holding_limit_headroom:
            return "registry"
        return "declared"

    def observe_registry_headroom(self, headroom: int, now: datetime) -> None:
        self.registry_headroom, self.registry_headroom_at = headroom, now

    @classmethod
    def submit(cls, *, auction_id: str, entity: EntityStanding, currency: Currency, intends_to_bid: bool,
               info: EligibilityInformation, by: str, now: datetime) -> Application:
        entity.require_eligible()  # §95912(d)(2)-(3)
        check_currency(entity.jurisdiction, currency)
        info.validate()
        return cls(auction_id=auction_id, entity_id=entity.entity_id, jurisdiction=entity.jurisdiction,
                   currency=currency, intends_to_bid=intends_to_bid, info=info, submitted_at=now,
                   submitted_by=by, updated_at=now)

    def amend(self, *, info: EligibilityInformation | None, intends_to_bid: bool | None, late: bool,
              now: datetime) -> None:
        """Before the deadline any change; within 30 days, eligibility changes are flagged (§95912(d)(5))
        and no new intent to bid is accepted (§95912(e))."""
        if self.status is ApplicationStatus.DENIED:
            raise ApplicationClosed("the application was denied", status=self.status.value)
        if intends_to_bid is not None and intends_to_bid != self.intends_to_bid:
            if intends_to_bid and late:
                raise NoIntentToBid("intent to bid was due 30 days before the auction (§95912(e))")
            self.intends_to_bid = intends_to_bid
        if info is not None and info != self.info:
            info.validate()
            self.info = info
            if late:
                self.late_change_at = now
            if self.status is not ApplicationStatus.SUBMITTED:
                self.review_pending = True  # the executive officer reviews the change
        self.updated_at = now

    def decide_eligibility(self, *, approve: bool, reason: str | None, by: str, now: datetime) -> None:
        """§95912(d)(1); after a change, approve = accept it, deny = refuse eligibility (§95912(d)(5))."""
        if self.status is ApplicationStatus.DENIED:
            raise ApplicationClosed("the application was denied", status=self.status.value)
        if self.status is not ApplicationStatus.SUBMITTED and not self.review_pending:
            raise WrongAuctionState("eligibility has been decided already", status=self.status.value)
        self.eligibility_decided_at, self.eligibility_decided_by = now, by
        self.review_pending = False
        if approve:
            if self.status is ApplicationStatus.SUBMITTED:
                self.status = ApplicationStatus.ELIGIBLE
        else:
            self.status = ApplicationStatus.DENIED
            self.denial_reason = reason or "not eligible"
        self.updated_at = now

    def decide_participation(self, *, approve: bool, reason: str | None, by: str, now: datetime) -> None:
        """§95912(e): only an eligible entity that stated its intent to bid in time is approved."""
        if self.status is ApplicationStatus.DENIED:
            raise ApplicationClosed("the application was denied", status=self.status.value)
        if self.review_pending:
            raise ChangeReviewPending("review the changed eligibility information first")
        if self.status is not ApplicationStatus.ELIGIBLE:
            raise NotEligible("the entity must be declared eligible first", status=self.status.value)
        self.participation_decided_at, self.participation_decided_by = now, by
        if approve:
            if not self.intends_to_bid:
                raise NoIntentToBid("the entity did not state an intent to bid (§95912(e))")
            self.status = ApplicationStatus.APPROVED
        else:
            self.status = ApplicationStatus.DENIED
            self.denial_reason = reason or "participation not approved"
        self.updated_at = now
