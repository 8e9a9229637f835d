"""Events published by the transfers service (§95921) on `transfers.transfers.v1`.

Keyed by transfer id, so one transfer's events stay in order. Prices and the parties' agreement
details are deliberately absent: they are confidential (§95921(e)(2)) and stay in the transfers
database; the public report (§95921(e)(1)) is served over HTTP without the parties.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.contracts.base import Event
from shared.contracts.registry import InstrumentSpec
from shared.contracts.topics import Topic


class _TransferEvent(Event):
    TOPIC = Topic.TRANSFERS
    transfer_id: str

    def aggregate_id(self) -> str:
        return self.transfer_id


class TransferSubmitted(_TransferEvent):
    """A request was submitted (§95921(a)(1)(A)) or the Executive Officer undertook a transfer; instruments
    are being reserved in the registry."""

    EVENT_TYPE = "transfers.TransferSubmitted"

    origin: Literal["representative", "executive_officer"]
    source_account: str
    destination_account: str
    instrument: InstrumentSpec
    quantity: int
    transaction_type: str | None
    submitted_by: str
    submitted_at: datetime
    requires_acceptance: bool
    confirm_by: datetime | None  # §95921(a)(1)(B)
    accept_by: datetime | None  # §95921(a)(1)(C)


class TransferProposed(_TransferEvent):
    """The registry reserved the instruments; the request awaits the second source representative."""

    EVENT_TYPE = "transfers.TransferProposed"

    proposed_at: datetime


class TransferRefused(_TransferEvent):
    """The registry refused to reserve the instruments (e.g. insufficient holdings)."""

    EVENT_TYPE = "transfers.TransferRefused"

    code: str
    message: str
    refused_at: datetime


class TransferConfirmed(_TransferEvent):
    """§95921(a)(1)(B): confirmed by a different representative of the source entity."""

    EVENT_TYPE = "transfers.TransferConfirmed"

    confirmed_by: str
    confirmed_at: datetime
    next_step: Literal["acceptance", "determination"]


class TransferAccepted(_TransferEvent):
    """§95921(a)(1)(C): confirmed by a representative of the destination account."""

    EVENT_TYPE = "transfers.TransferAccepted"

    accepted_by: str
    accepted_at: datetime


class TransferApproved(_TransferEvent):
    """§95921(a)(1)(D): the Executive Officer determined the request meets the requirements."""

    EVENT_TYPE = "transfers.TransferApproved"

    approved_by: str
    approved_at: datetime
    move_request_id: str


class TransferDenied(_TransferEvent):
    """Denied by the Executive Officer, or the registry refused the move (code says which, e.g.
    holding_limit_exceeded, §95920(b)(4))."""

    EVENT_TYPE = "transfers.TransferDenied"

    code: str
    reason: str
    denied_by: str
    denied_at: datetime


class TransferRecorded(_TransferEvent):
    """The registry recorded the move. `flags` lists §95921(a)(3) late completions."""

    EVENT_TYPE = "transfers.TransferRecorded"

    move_id: str
    source_account: str
    destination_account: str
    instrument: InstrumentSpec
    quantity: int
    recorded_at: datetime
    flags: list[str] = []


class TransferExpired(_TransferEvent):
    """An unfinished request passed its deadline (§95921(a)(1)(B)/(C), (i)(1)(D)); its reservation is released."""

    EVENT_TYPE = "transfers.TransferExpired"

    stage: str
    expired_at: datetime


class TransferWithdrawn(_TransferEvent):
    EVENT_TYPE = "transfers.TransferWithdrawn"

    withdrawn_by: str
    withdrawn_at: datetime


class DeficiencyFound(_TransferEvent):
    """§95921(i)(1)/(i)(2): a deficiency was found before or after recording."""

    EVENT_TYPE = "transfers.DeficiencyFound"

    deficiency_id: str
    stage: Literal["before_recording", "after_recording"]
    kind: str
    responsible: Literal["source", "destination"]
    correct_by: datetime
    found_at: datetime


class DeficiencyCorrected(_TransferEvent):
    EVENT_TYPE = "transfers.DeficiencyCorrected"

    deficiency_id: str
    corrected_by: str
    corrected_at: datetime


class TransferReversed(_TransferEvent):
    """§95921(i)(2)(D): the Executive Officer had the recorded transfer reversed."""

    EVENT_TYPE = "transfers.TransferReversed"

    move_id: str
    reversed_at: datetime


class DocumentationRequested(_TransferEvent):
    """§95921(c): the Executive Officer asked a party for documentation (contents stay confidential)."""

    EVENT_TYPE = "transfers.DocumentationRequested"

    request_id: str
    party: Literal["source", "destination"]
    due_at: datetime


class ClearingReceiptOverdue(_TransferEvent):
    """§95921(d)(2): instruments stayed in an exchange clearing holding account longer than five days."""

    EVENT_TYPE = "transfers.ClearingReceiptOverdue"

    account_number: str
    quantity_remaining: int
    due_at: datetime


class ClearingTransfersBlocked(Event):
    """§95921(d)(4): the receiving entity may not transfer to other entities until the EO has investigated."""

    TOPIC = Topic.TRANSFERS
    EVENT_TYPE = "transfers.ClearingTransfersBlocked"

    entity_id: str
    transfer_id: str
    blocked: bool  # False when the Executive Officer lifts the block
    at: datetime

    def aggregate_id(self) -> str:
        return self.entity_id


class NotificationIssued(Event):
    """A notice stored for its recipients (individual ids or `role:<role>:<jurisdiction>`)."""

    TOPIC = Topic.TRANSFERS
    EVENT_TYPE = "transfers.NotificationIssued"

    notification_id: str
    transfer_id: str | None
    kind: str
    recipients: list[str]
    message: str
    issued_at: datetime

    def aggregate_id(self) -> str:
        return self.transfer_id or self.notification_id
