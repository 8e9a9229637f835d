"""Events published by the identity service."""

from __future__ import annotations

from datetime import date, datetime

from shared.contracts.base import Event
from shared.contracts.topics import Topic


class IndividualRegistered(Event):
    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualRegistered"

    individual_id: str
    legal_name: str
    email: str
    jurisdiction: str
    registered_at: datetime

    def aggregate_id(self) -> str:
        return self.individual_id


class IndividualApproved(Event):
    """KYC passed (§95834): the individual may now be named a representative or bid."""

    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualApproved"

    individual_id: str
    legal_name: str
    jurisdiction: str
    approved_by: str
    approved_at: datetime
    id_expires_on: date | None = None

    def aggregate_id(self) -> str:
        return self.individual_id


class IndividualDenied(Event):
    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualDenied"

    individual_id: str
    reason: str
    denied_by: str
    denied_at: datetime

    def aggregate_id(self) -> str:
        return self.individual_id


class IndividualSuspended(Event):
    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualSuspended"

    individual_id: str
    reason: str
    suspended_at: datetime

    def aggregate_id(self) -> str:
        return self.individual_id


class CredentialsRevoked(Event):
    """Every token of these individuals issued at or before `revoked_before` is void."""

    TOPIC = Topic.IDENTITY_CREDENTIALS
    EVENT_TYPE = "identity.CredentialsRevoked"

    individual_ids: list[str]
    revoked_before: datetime
    reason: str
    incident_id: str | None = None

    def aggregate_id(self) -> str:
        return self.incident_id or (self.individual_ids[0] if self.individual_ids else "none")


class IndividualReinstated(Event):
    """A suspended individual may act again (additive: consumers that ignore it stay correct)."""

    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualReinstated"

    individual_id: str
    reinstated_by: str
    reinstated_at: datetime

    def aggregate_id(self) -> str:
        return self.individual_id


class IndividualDeactivated(Event):
    """The individual's registration is closed for good; their credentials were revoked too."""

    TOPIC = Topic.IDENTITY_INDIVIDUALS
    EVENT_TYPE = "identity.IndividualDeactivated"

    individual_id: str
    reason: str
    deactivated_by: str
    deactivated_at: datetime

    def aggregate_id(self) -> str:
        return self.individual_id
