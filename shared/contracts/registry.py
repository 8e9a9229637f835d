"""Events published by the registry, and the ledger commands other services send it.

Ledger commands travel on `registry.ledger-commands.v1` (consumed by the registry only); every
command carries a `request_id` chosen by the sender, which is also the idempotency key: the
registry applies a request id once, and answers on `registry.ledger.v1` with an event carrying
the same request id (InstrumentsReserved / ReservationRefused / MoveRecorded / MoveRefused / ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import Event
from shared.contracts.topics import Topic

InstrumentType = Literal["allowance", "offset"]
RepresentativeRole = Literal["primary", "alternate", "viewing_agent"]


class InstrumentSpec(BaseModel):
    """Which instruments: type, issuing jurisdiction and (allowances) vintage; None = any."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    instrument_type: InstrumentType
    jurisdiction: str
    vintage: int | None = None


class SerialRange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    instrument_type: InstrumentType
    jurisdiction: str
    vintage: int | None
    first_serial: int
    last_serial: int  # inclusive

    @property
    def quantity(self) -> int:
        return self.last_serial - self.first_serial + 1


# ---- state published for other services to authorize from --------------------------------

class Representative(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    individual_id: str
    role: RepresentativeRole


class AccountChanged(Event):
    """The current state of one account and who may act on it (§95832). Last write wins by occurred_at."""

    TOPIC = Topic.REGISTRY_ACCOUNTS
    EVENT_TYPE = "registry.AccountChanged"

    account_number: str
    account_type: str
    owner_kind: Literal["entity", "jurisdiction"]
    entity_id: str | None
    jurisdiction: str
    status: str
    representatives: list[Representative]

    def aggregate_id(self) -> str:
        return self.account_number


class EntityChanged(Event):
    """An entity's current registration state, type, status and direct corporate associates (§95833)."""

    TOPIC = Topic.REGISTRY_ENTITIES
    EVENT_TYPE = "registry.EntityChanged"

    entity_id: str
    legal_name: str
    entity_type: str
    jurisdiction: str
    status: str  # applied, approved, denied, suspended, revoked, closed
    direct_associates: list[str] = []
    transfers_restricted: bool = False
    # additive (registry v1.1): the detail of §95921(g)(4) restrictions, the association's declared
    # split of its shared limits (decimal strings, e.g. "0.6"; None = not split), the §95921(g)(3)(A)
    # deadline to sell or retire after suspension or revocation
    transfer_restriction: str = "none"  # none, inbound_prohibited, outbound_prohibited, compliance_only, prohibited
    holding_limit_share: str | None = None
    purchase_limit_share: str | None = None
    sell_deadline: datetime | None = None

    def aggregate_id(self) -> str:
        return self.entity_id


# ---- ledger commands (to the registry) -------------------------------------------------------

class _LedgerCommand(Event):
    TOPIC = Topic.REGISTRY_LEDGER_COMMANDS
    request_id: str
    requested_by: str  # individual or service that asked

    def aggregate_id(self) -> str:
        return self.request_id


class ReserveInstruments(_LedgerCommand):
    """Reserve `quantity` instruments of `instrument` in `account_number` for a pending transfer."""

    EVENT_TYPE = "ledger.ReserveInstruments"

    account_number: str
    instrument: InstrumentSpec
    quantity: int
    purpose: str


class ReleaseReservation(_LedgerCommand):
    """Release a reservation. `reservation_id` is the request id of the ReserveInstruments command;
    when omitted, `request_id` itself names the reservation (additive field, registry v1.1)."""

    EVENT_TYPE = "ledger.ReleaseReservation"

    reason: str
    reservation_id: str | None = None


class ExecuteMove(_LedgerCommand):
    """Move instruments. With `reservation_id`, the reserved blocks move; otherwise free ones.

    `check_holding_limit` makes the registry refuse a move that would put the destination's
    entity (or its direct corporate association) over its holding limit (§95920(b)(4)).
    """

    EVENT_TYPE = "ledger.ExecuteMove"

    source_account: str
    destination_account: str
    instrument: InstrumentSpec
    quantity: int
    reservation_id: str | None = None
    check_holding_limit: bool = True
    reason: str  # transfer, auction_award, consignment, reversal, retirement, ...
    reference: str | None = None


# ---- ledger events (from the registry) -------------------------------------------------------

class _LedgerEvent(Event):
    TOPIC = Topic.REGISTRY_LEDGER

    def aggregate_id(self) -> str:
        return str(getattr(self, "request_id", None) or getattr(self, "move_id", "ledger"))


class InstrumentsReserved(_LedgerEvent):
    EVENT_TYPE = "registry.InstrumentsReserved"

    request_id: str
    account_number: str
    quantity: int
    serials: list[SerialRange]


class ReservationRefused(_LedgerEvent):
    EVENT_TYPE = "registry.ReservationRefused"

    request_id: str
    code: str
    message: str


class ReservationReleased(_LedgerEvent):
    EVENT_TYPE = "registry.ReservationReleased"

    request_id: str
    # additive (registry v1.1): which reservation, and why (also sent when the registry releases
    # one itself, e.g. the §95921(g)(3)(B) sweep; request_id is then the reservation id)
    reservation_id: str | None = None
    reason: str | None = None


class MoveRecorded(_LedgerEvent):
    EVENT_TYPE = "registry.MoveRecorded"

    request_id: str
    move_id: str
    source_account: str
    destination_account: str
    quantity: int
    serials: list[SerialRange]
    reason: str
    reference: str | None = None
    recorded_at: datetime


class MoveRefused(_LedgerEvent):
    EVENT_TYPE = "registry.MoveRefused"

    request_id: str
    code: str  # holding_limit_exceeded, account_not_open, transfers_prohibited, insufficient_holdings, ...
    message: str


class InstrumentsIssued(_LedgerEvent):
    EVENT_TYPE = "registry.InstrumentsIssued"

    move_id: str
    account_number: str
    serials: list[SerialRange]
    issued_at: datetime


class InstrumentsRetired(_LedgerEvent):
    EVENT_TYPE = "registry.InstrumentsRetired"

    move_id: str
    account_number: str
    serials: list[SerialRange]
    reason: str  # surrender, voluntary_retirement
    retired_at: datetime


# ---- linkage feed (linkage.feed.v1) ----------------------------------------------------------------

class LedgerMovementReported(Event):
    """One ledger movement (issuance, move, retirement, inbound from a linked registry) with its serial
    ranges, for a linked jurisdiction's system. `sequence` is the movement's position in the registry's
    journal: gap-free and increasing; the same records are served, cursor-paged by `sequence`, at
    GET /v1/linkage/feed for systems that cannot reach the bus."""

    TOPIC = Topic.LINKAGE
    EVENT_TYPE = "linkage.LedgerMovementReported"

    sequence: int
    move_id: str
    kind: Literal["issuance", "move", "retirement", "inbound"]
    source_account: str | None  # None: created (issuance) or received from a linked registry
    destination_account: str
    quantity: int
    serials: list[SerialRange]
    reason: str
    recorded_at: datetime

    def aggregate_id(self) -> str:
        return self.move_id
