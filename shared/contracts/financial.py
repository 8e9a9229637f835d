"""Events published by the financial services administrator's service (§95912(h), (i))."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.auction import Money
from shared.contracts.base import Event
from shared.contracts.topics import Topic


class GuaranteeAccepted(Event):
    """The executive officer accepted an entity's bid guarantee for an auction (§95912(h)(8)).

    `accepted_value` is the entity's whole accepted guarantee for the auction at `accepted_at` (the
    sum over its accepted instruments), not an increment: the latest event replaces earlier ones.
    It can go down, e.g. to zero when an accepted guarantee is superseded by an amendment that is
    not accepted yet.
    """

    TOPIC = Topic.FINANCIAL
    EVENT_TYPE = "financial.GuaranteeAccepted"

    auction_id: str
    entity_id: str
    accepted_value: Money
    accepted_at: datetime

    def aggregate_id(self) -> str:
        return f"{self.auction_id}:{self.entity_id}"


class WinnerSettled(Event):
    """The winner's invoice is paid (cash or drawn guarantee); allowances may be delivered (§95912(i)(4))."""

    TOPIC = Topic.FINANCIAL
    EVENT_TYPE = "financial.WinnerSettled"

    auction_id: str
    entity_id: str
    paid: Money
    guarantee_drawn: Money | None = None
    settled_at: datetime

    def aggregate_id(self) -> str:
        return f"{self.auction_id}:{self.entity_id}"


class WinnerDefaulted(Event):
    """The payment deadline passed and the bid guarantee did not cover the invoice (§95912(i)(3)(B)).

    No allowances are delivered for this award; `unpaid` is what remains owed after the draws.
    """

    TOPIC = Topic.FINANCIAL
    EVENT_TYPE = "financial.WinnerDefaulted"

    auction_id: str
    entity_id: str
    unpaid: Money
    guarantee_drawn: Money | None = None
    defaulted_at: datetime

    def aggregate_id(self) -> str:
        return f"{self.auction_id}:{self.entity_id}"
