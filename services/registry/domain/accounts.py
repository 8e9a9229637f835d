"""Account types, statuses, the set of accounts each kind of entity gets, and the movement rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.registry.domain.errors import (
    AccountNotOpen,
    ComplianceAccountOneWay,
    InvalidInput,
    LimitedUseConsignmentOnly,
    RetiredInstrumentsAreFinal,
    SameAccount,
    SellWindowClosed,
    TransfersProhibited,
)
from services.registry.domain.jurisdictions import Linkage, ensure_may_hold


class AccountType(StrEnum):
    # entity accounts (§95831)
    HOLDING = "holding"
    COMPLIANCE = "compliance"
    LIMITED_USE_HOLDING = "limited_use_holding"
    EXCHANGE_CLEARING_HOLDING = "exchange_clearing_holding"
    ANNUAL_ALLOCATION_HOLDING = "annual_allocation_holding"
    # jurisdiction accounts
    ISSUANCE = "issuance"
    ALLOCATION_HOLDING = "allocation_holding"
    AUCTION_HOLDING = "auction_holding"
    PRICE_CONTAINMENT_RESERVE = "price_containment_reserve"
    RETIREMENT = "retirement"
    VOLUNTARY_RENEWABLE_ELECTRICITY = "voluntary_renewable_electricity"


JURISDICTION_ACCOUNT_TYPES: tuple[AccountType, ...] = (
    AccountType.ISSUANCE,
    AccountType.ALLOCATION_HOLDING,
    AccountType.AUCTION_HOLDING,
    AccountType.PRICE_CONTAINMENT_RESERVE,
    AccountType.RETIREMENT,
    AccountType.VOLUNTARY_RENEWABLE_ELECTRICITY,
)
ENTITY_ACCOUNT_TYPES: frozenset[AccountType] = frozenset(AccountType) - frozenset(JURISDICTION_ACCOUNT_TYPES)

# §95920: instruments in these accounts do not count toward the holding limit
HOLDING_LIMIT_EXCLUDED: frozenset[AccountType] = frozenset(
    {AccountType.LIMITED_USE_HOLDING, AccountType.EXCHANGE_CLEARING_HOLDING, AccountType.ANNUAL_ALLOCATION_HOLDING}
)
HOLDING_LIMIT_COUNTED: frozenset[AccountType] = ENTITY_ACCOUNT_TYPES - HOLDING_LIMIT_EXCLUDED  # holding, compliance


class AccountStatus(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"  # §95921(g)(1),(4): a lowered limit or limited transfers
    SUSPENDED = "suspended"  # §95921(g)(3)
    REVOKED = "revoked"  # §95921(g)(3)
    CLOSED = "closed"


class OwnerKind(StrEnum):
    ENTITY = "entity"
    JURISDICTION = "jurisdiction"


class TransferRestriction(StrEnum):
    """What the Executive Officer allows of an entity's transfers (§95921(g)(4), (d)(4))."""

    NONE = "none"
    INBOUND_PROHIBITED = "inbound_prohibited"
    OUTBOUND_PROHIBITED = "outbound_prohibited"
    COMPLIANCE_ONLY = "compliance_only"  # out only to its own compliance account (§95921(d)(4))
    PROHIBITED = "prohibited"


@dataclass(frozen=True)
class AccountView:
    """What the movement rules need to know about one side of a move."""

    number: str
    account_type: AccountType
    jurisdiction: str
    status: AccountStatus
    entity_id: str | None = None
    transfer_restriction: TransferRestriction = TransferRestriction.NONE
    sell_deadline: datetime | None = None  # §95921(g)(3)(A): suspended or revoked entity

    @property
    def owner_kind(self) -> OwnerKind:
        return OwnerKind.ENTITY if self.entity_id else OwnerKind.JURISDICTION


def check_source(source: AccountView, *, now: datetime, system: bool = False) -> None:
    """May instruments leave `source` at all (moves and reservations)?"""
    if source.account_type is AccountType.RETIREMENT:
        raise RetiredInstrumentsAreFinal("retired instruments never leave the retirement account")
    if source.status is AccountStatus.CLOSED:
        raise AccountNotOpen("the source account is closed", account_number=source.number, status=source.status)
    window_closed = source.sell_deadline is None or now > source.sell_deadline
    if source.status in (AccountStatus.SUSPENDED, AccountStatus.REVOKED) and not system and window_closed:
        # §95921(g)(3)(A): sell or voluntarily retire within 30 days; afterwards only the sweep moves them
        raise SellWindowClosed(
            "the window to sell or retire has closed", account_number=source.number,
            deadline=source.sell_deadline.isoformat() if source.sell_deadline else None,
        )
    if not system and source.transfer_restriction in (
        TransferRestriction.OUTBOUND_PROHIBITED, TransferRestriction.PROHIBITED
    ):
        raise TransfersProhibited("transfers out of this account are prohibited", account_number=source.number)


def check_destination(destination: AccountView, *, system: bool = False) -> None:
    """May `destination` receive instruments at all?"""
    if destination.status in (AccountStatus.SUSPENDED, AccountStatus.REVOKED, AccountStatus.CLOSED):
        # §95921(g)(3)(A): a suspended or revoked entity may not hold compliance instruments
        raise AccountNotOpen(
            "the destination account cannot receive instruments", account_number=destination.number,
            status=destination.status,
        )
    if not system and destination.transfer_restriction in (
        TransferRestriction.INBOUND_PROHIBITED, TransferRestriction.PROHIBITED
    ):
        raise TransfersProhibited("transfers into this account are prohibited", account_number=destination.number)


def check_move(
    source: AccountView,
    destination: AccountView,
    instrument_jurisdictions: set[str],
    *,
    linkage: Linkage,
    now: datetime,
    system: bool = False,
    reversal: bool = False,
) -> None:
    """Raise the first rule a move from `source` to `destination` breaks.

    `system` marks the registry's own moves (the §95921(g)(3)(B) sweep), which the sell window and
    the Executive Officer's transfer restrictions do not stop. `reversal` marks a reversal the
    Executive Officer instructed (§95921(i)(2)(D)): it may take instruments back out of a
    compliance account they were wrongly recorded into.
    """
    if source.number == destination.number:
        raise SameAccount("source and destination are the same account")
    check_source(source, now=now, system=system)
    check_destination(destination, system=system)
    if (source.account_type is AccountType.COMPLIANCE and destination.account_type is not AccountType.RETIREMENT
            and not reversal):
        raise ComplianceAccountOneWay("instruments in a compliance account only leave it to be retired")
    if (source.account_type is AccountType.LIMITED_USE_HOLDING
            and destination.account_type is not AccountType.AUCTION_HOLDING):
        raise LimitedUseConsignmentOnly("a limited use holding account only consigns to auction")
    if not system:
        _check_restrictions(source, destination)
    for jurisdiction in sorted(instrument_jurisdictions):
        ensure_may_hold(source.jurisdiction, jurisdiction, linkage)
        ensure_may_hold(destination.jurisdiction, jurisdiction, linkage)


def _check_restrictions(source: AccountView, destination: AccountView) -> None:
    """§95921(d)(4): an entity kept from transferring to others may still move to its compliance account."""
    if source.transfer_restriction is TransferRestriction.COMPLIANCE_ONLY and not (
        destination.entity_id == source.entity_id and destination.account_type is AccountType.COMPLIANCE
    ):
        raise TransfersProhibited(
            "this entity may only transfer to its own compliance account", account_number=source.number
        )


def check_issuance(destination: AccountView, jurisdiction: str) -> None:
    """Instruments are issued by a jurisdiction into one of its own jurisdiction accounts."""
    if destination.entity_id is not None or destination.jurisdiction != jurisdiction:
        raise InvalidInput(
            "instruments are issued into an account of the issuing jurisdiction",
            account_number=destination.number, jurisdiction=jurisdiction,
        )
    if destination.account_type is AccountType.RETIREMENT:
        raise InvalidInput("instruments are not issued into the retirement account")
