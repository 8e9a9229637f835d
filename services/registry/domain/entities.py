"""Entities (§95830, §95833), their representatives (§95832) and corporate associations (§95833)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from services.registry.domain.accounts import AccountStatus, AccountType, TransferRestriction
from services.registry.domain.errors import (
    AssociationSplitInvalid,
    InvalidState,
    RepresentativeNotEligible,
    RepresentativeSetInvalid,
)


class EntityType(StrEnum):
    COVERED = "covered"
    OPT_IN_COVERED = "opt_in_covered"
    VOLUNTARILY_ASSOCIATED = "voluntarily_associated"
    OFFSET_PROJECT_OPERATOR = "offset_project_operator"
    CLEARING_ORGANIZATION = "clearing_organization"
    INDIVIDUAL_PARTICIPANT = "individual_participant"


class EntityStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    DENIED = "denied"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CLOSED = "closed"


# §95830: one set of accounts per entity, opened on approval; what the set holds depends on the type
ACCOUNT_SETS: dict[EntityType, tuple[AccountType, ...]] = {
    EntityType.COVERED: (
        AccountType.HOLDING, AccountType.COMPLIANCE, AccountType.LIMITED_USE_HOLDING,
        AccountType.ANNUAL_ALLOCATION_HOLDING,
    ),
    EntityType.OPT_IN_COVERED: (
        AccountType.HOLDING, AccountType.COMPLIANCE, AccountType.LIMITED_USE_HOLDING,
        AccountType.ANNUAL_ALLOCATION_HOLDING,
    ),
    EntityType.VOLUNTARILY_ASSOCIATED: (AccountType.HOLDING,),
    EntityType.OFFSET_PROJECT_OPERATOR: (AccountType.HOLDING,),
    EntityType.CLEARING_ORGANIZATION: (AccountType.HOLDING, AccountType.EXCHANGE_CLEARING_HOLDING),
    EntityType.INDIVIDUAL_PARTICIPANT: (AccountType.HOLDING,),
}

# §95921(g)(1): the Executive Officer may lower the limit of covered and opt-in covered entities
LOWERABLE_LIMIT_TYPES = frozenset({EntityType.COVERED, EntityType.OPT_IN_COVERED})

_TRANSITIONS: dict[str, tuple[frozenset[EntityStatus], EntityStatus]] = {
    "approve": (frozenset({EntityStatus.APPLIED}), EntityStatus.APPROVED),
    "deny": (frozenset({EntityStatus.APPLIED}), EntityStatus.DENIED),
    "suspend": (frozenset({EntityStatus.APPROVED}), EntityStatus.SUSPENDED),  # §95921(g)(3)
    "revoke": (frozenset({EntityStatus.APPROVED, EntityStatus.SUSPENDED}), EntityStatus.REVOKED),  # §95921(g)(3)
    "reinstate": (frozenset({EntityStatus.SUSPENDED}), EntityStatus.APPROVED),
}


def transition(current: EntityStatus, action: str) -> EntityStatus:
    allowed, target = _TRANSITIONS[action]
    if current not in allowed:
        raise InvalidState(f"cannot {action} an entity that is {current}", status=str(current), action=action)
    return target


def account_status_for(status: EntityStatus, restriction: TransferRestriction, limit_lowered: bool) -> AccountStatus:
    if status is EntityStatus.SUSPENDED:
        return AccountStatus.SUSPENDED
    if status is EntityStatus.REVOKED:
        return AccountStatus.REVOKED
    if status in (EntityStatus.CLOSED, EntityStatus.DENIED):
        return AccountStatus.CLOSED
    if restriction is not TransferRestriction.NONE or limit_lowered:
        return AccountStatus.RESTRICTED
    return AccountStatus.OPEN


def sell_deadline(at: datetime, window_days: int) -> datetime:
    """§95921(g)(3)(A): sell or voluntarily retire everything within 30 days (configurable)."""
    return at + timedelta(days=window_days)


# ---- corporate associations (§95833) ------------------------------------------------------------

class IndiciumKind(StrEnum):
    SHARES = "shares"
    VOTING_POWER = "voting_power"
    COMMON_DIRECTORS_OFFICERS = "common_directors_officers"
    PARTNERSHIP = "partnership"
    LLC_OWNERSHIP = "llc_ownership"


@dataclass(frozen=True)
class Indicium:
    kind: IndiciumKind
    percent: Decimal


DIRECT_ASSOCIATION_THRESHOLD = Decimal(50)


def is_direct_association(indicia: Iterable[Indicium]) -> bool:
    """§95833: a direct corporate association exists when any indicium of control exceeds 50 %."""
    return any(i.percent > DIRECT_ASSOCIATION_THRESHOLD for i in indicia)


def association_groups(edges: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """entity -> every entity it is directly associated with, itself included.

    Direct associations propagate through chains (A controls B controls C) and common control
    (A controls B and C): the groups are the connected components of the direct edges.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, set[str]] = {}
    for node in list(parent):
        members.setdefault(find(node), set()).add(node)
    return {node: frozenset(members[find(node)]) for node in parent}


def validate_split(group: frozenset[str], shares: Mapping[str, tuple[Decimal, Decimal]]) -> None:
    """The association's split of its shared holding and purchase limits: every member, sums of 1."""
    if set(shares) != set(group):
        raise AssociationSplitInvalid(
            "the split must name exactly the members of the association",
            expected=sorted(group), given=sorted(shares),
        )
    for index, label in ((0, "holding"), (1, "purchase")):
        values = [s[index] for s in shares.values()]
        if any(v < 0 or v > 1 for v in values):
            raise AssociationSplitInvalid(f"each {label} limit share is between 0 and 1")
        if sum(values, Decimal(0)) != Decimal(1):
            raise AssociationSplitInvalid(f"the {label} limit shares must add up to 1", total=str(sum(values)))


# ---- representatives (§95832) --------------------------------------------------------------------

MAX_ALTERNATES = 4
MAX_VIEWING_AGENTS = 10


@dataclass(frozen=True)
class RepresentativeSet:
    primary: str
    alternates: tuple[str, ...]
    viewing_agents: tuple[str, ...] = ()

    def validate(self) -> None:
        """§95832: exactly one primary, one to four alternates; viewing agents see but never act."""
        if not self.primary:
            raise RepresentativeSetInvalid("exactly one primary account representative is required")
        if not 1 <= len(self.alternates) <= MAX_ALTERNATES:
            raise RepresentativeSetInvalid("one to four alternate account representatives are required",
                                           alternates=len(self.alternates))
        if len(self.viewing_agents) > MAX_VIEWING_AGENTS:
            raise RepresentativeSetInvalid("too many account viewing agents", maximum=MAX_VIEWING_AGENTS)
        everyone = self.individuals()
        if len(set(everyone)) != len(everyone):
            raise RepresentativeSetInvalid("an individual holds one role per account")

    def individuals(self) -> list[str]:
        return [self.primary, *self.alternates, *self.viewing_agents]

    def members(self) -> list[tuple[str, str]]:
        return [
            (self.primary, "primary"),
            *((a, "alternate") for a in self.alternates),
            *((v, "viewing_agent") for v in self.viewing_agents),
        ]


def ensure_eligible(reps: RepresentativeSet, kyc_status: Mapping[str, str]) -> None:
    """§95834: every representative and agent passed KYC (known from identity's events)."""
    ineligible = sorted(i for i in reps.individuals() if kyc_status.get(i) != "approved")
    if ineligible:
        raise RepresentativeNotEligible(
            "representatives must be individuals whose KYC review was approved", individuals=ineligible
        )
