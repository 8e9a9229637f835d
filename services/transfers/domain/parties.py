"""Who the parties are and whether instruments may go from one account to the other.

The facts come from the registry's AccountChanged/EntityChanged events (projected locally); the
registry stays authoritative when it executes the move, so these checks are a best effort that
gives early, specific answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from services.transfers.domain.errors import ClearingBlockActive, TransfersRestricted
from services.transfers.domain.model import Instrument
from services.transfers.domain.terms import PartyFacts, Problem

# account types as the registry names them (AccountChanged.account_type)
HOLDING = "holding"
COMPLIANCE = "compliance"
EXCHANGE_CLEARING = "exchange_clearing_holding"
SOURCE_TYPES = (HOLDING, EXCHANGE_CLEARING)  # §95921(b)(1)(A): the source is a holding account
DESTINATION_TYPES = (HOLDING, COMPLIANCE, EXCHANGE_CLEARING)

ACTING_ROLES = ("primary", "alternate")  # viewing agents see but never act (§95832)
NOT_OPEN = frozenset({"applied", "pending", "denied", "closed"})
CANNOT_RECEIVE = NOT_OPEN | {"suspended", "revoked"}
# §95921(g)(3)(A): a suspended or revoked entity may still sell what it holds (within 30 days)
ENTITY_MAY_SEND = frozenset({"approved", "suspended", "revoked"})
ENTITY_MAY_RECEIVE = frozenset({"approved"})


@dataclass(frozen=True)
class AccountView:
    account_number: str
    account_type: str
    owner_kind: str
    entity_id: str | None
    jurisdiction: str
    status: str
    representatives: tuple[tuple[str, str], ...] = ()  # (individual id, role)

    def can_act(self, individual_id: str) -> bool:
        """Primary or alternate account representative (§95921(a)(1)(A), (C))."""
        return any(i == individual_id and r in ACTING_ROLES for i, r in self.representatives)

    def actors(self) -> list[str]:
        return sorted({i for i, r in self.representatives if r in ACTING_ROLES})

    def primary(self) -> list[str]:
        return sorted({i for i, r in self.representatives if r == "primary"})

    def sees(self, individual_id: str) -> bool:
        return any(i == individual_id for i, _ in self.representatives)


@dataclass(frozen=True)
class EntityView:
    entity_id: str
    jurisdiction: str
    status: str
    direct_associates: frozenset[str] = field(default_factory=frozenset)
    transfers_restricted: bool = False


def linked(a: str, b: str, groups: Sequence[Iterable[str]]) -> bool:
    """Nova Scotia's program stands alone; California and Québec are linked (configurable)."""
    return a == b or any(a in g and b in g for g in (set(x) for x in groups))


def party_facts(source: AccountView, destination: AccountView, source_entity: EntityView | None,
                destination_entity: EntityView | None) -> PartyFacts:
    same = source.entity_id is not None and source.entity_id == destination.entity_id
    associates = bool(
        source_entity and destination_entity and not same and (
            destination_entity.entity_id in source_entity.direct_associates
            or source_entity.entity_id in destination_entity.direct_associates
        )
    )
    return PartyFacts(
        same_entity=same,
        direct_associates=associates,
        holding_to_compliance=same and source.account_type == HOLDING and destination.account_type == COMPLIANCE,
        source_is_clearing=source.account_type == EXCHANGE_CLEARING,
    )


def requires_acceptance(source: AccountView, destination: AccountView) -> bool:
    """§95921(a)(2)(B) one entity's holding and compliance accounts; §95921(d)(3) clearing accounts."""
    if EXCHANGE_CLEARING in (source.account_type, destination.account_type):
        return False
    same = source.entity_id is not None and source.entity_id == destination.entity_id
    return not (same and {source.account_type, destination.account_type} <= {HOLDING, COMPLIANCE})


def check_route(source: AccountView, destination: AccountView, instrument: Instrument,
                linkage: Sequence[Iterable[str]]) -> list[Problem]:
    out: list[Problem] = []
    if source.account_number == destination.account_number:
        out.append(Problem("destination_account", "same_account", "§95921(b)(1)(B)",
                           "the destination must differ from the source"))
    if source.account_type == COMPLIANCE:
        out.append(Problem("source_account", "compliance_account_is_one_way", "§95921(b)(1)(A)",
                           "instruments in a compliance account are for surrender and cannot be transferred"))
    elif source.account_type not in SOURCE_TYPES:
        out.append(Problem("source_account", "not_a_holding_account", "§95921(b)(1)(A)",
                           f"transfers leave a holding account, not a {source.account_type} account"))
    if source.status in NOT_OPEN:
        out.append(Problem("source_account", "account_not_open", "§95921(b)(1)(A)",
                           f"the source account is {source.status}"))
    if destination.account_type not in DESTINATION_TYPES or destination.owner_kind != "entity":
        out.append(Problem("destination_account", "destination_not_allowed", "§95921(b)(1)(B)",
                           f"a {destination.account_type} account cannot receive a transfer request"))
    elif destination.account_type == COMPLIANCE and destination.entity_id != source.entity_id:
        out.append(Problem("destination_account", "foreign_compliance_account", "§95921(a)(2)(B)",
                           "instruments go into a compliance account only from the same entity's holding account"))
    if destination.status in CANNOT_RECEIVE:
        out.append(Problem("destination_account", "account_not_open", "§95921(b)(1)(B)",
                           f"the destination account is {destination.status}"))
    if not linked(source.jurisdiction, destination.jurisdiction, linkage):
        out.append(Problem("destination_account", "jurisdictions_not_linked", "§95921(b)(1)(B)",
                           f"{source.jurisdiction} and {destination.jurisdiction} are not linked programs"))
    for side in (source, destination):
        if not linked(instrument.jurisdiction, side.jurisdiction, linkage):
            out.append(Problem("instrument.jurisdiction", "jurisdictions_not_linked", "§95921(b)(1)(C)",
                               f"{instrument.jurisdiction} instruments cannot be held in a "
                               f"{side.jurisdiction} account"))
            break
    return out


def check_instrument(instrument: Instrument) -> list[Problem]:
    if instrument.instrument_type == "allowance" and instrument.vintage is None:
        return [Problem("instrument.vintage", "required", "§95921(b)(1)(C)",
                        "the vintage of the allowances is required ((b)(1)(C))")]
    return []


def check_restrictions(source_entity: EntityView | None, destination_entity: EntityView | None,
                       *, same_entity: bool, clearing_blocked: bool) -> None:
    """Raise the first restriction that stops this transfer (best effort; the registry re-checks).

    EntityChanged carries one flag for every kind of restriction the Executive Officer imposes, so a
    restricted entity may still move instruments into its own compliance account here (the kind the
    registry allows under §95921(d)(4) and (g)(4)); the registry decides."""
    if source_entity is not None:
        if source_entity.transfers_restricted and not same_entity:
            raise TransfersRestricted(entity_id=source_entity.entity_id, rule="§95921(g)(4)")
        if source_entity.status not in ENTITY_MAY_SEND:
            raise TransfersRestricted(f"the source entity is {source_entity.status}",
                                      entity_id=source_entity.entity_id, rule="§95921(g)(3)")
    if destination_entity is not None and not same_entity:
        if destination_entity.transfers_restricted:
            raise TransfersRestricted(entity_id=destination_entity.entity_id, rule="§95921(g)(4)")
        if destination_entity.status not in ENTITY_MAY_RECEIVE:
            raise TransfersRestricted(f"the destination entity is {destination_entity.status}",
                                      entity_id=destination_entity.entity_id, rule="§95921(g)(3)(A)")
    if clearing_blocked and not same_entity:
        # §95921(d)(4): moves into its own compliance account stay allowed (the registry checks the exemption)
        raise ClearingBlockActive(entity_id=source_entity.entity_id if source_entity else None,
                                  rule="§95921(d)(4)")
