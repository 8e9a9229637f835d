"""Every topic on the bus and which consumer groups subscribe to it.

The relay uses SUBSCRIPTIONS to learn when every subscriber has committed past an event
(the event is then "confirmed" and need not be resent after a broker restart).
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    IDENTITY_INDIVIDUALS = "identity.individuals.v1"
    IDENTITY_CREDENTIALS = "identity.credentials.v1"
    REGISTRY_ENTITIES = "registry.entities.v1"
    REGISTRY_ACCOUNTS = "registry.accounts.v1"
    REGISTRY_LEDGER = "registry.ledger.v1"
    REGISTRY_LEDGER_COMMANDS = "registry.ledger-commands.v1"
    TRANSFERS = "transfers.transfers.v1"
    AUCTION = "auction.auctions.v1"
    FINANCIAL = "financial.settlement.v1"
    LINKAGE = "linkage.feed.v1"


DEAD_LETTER_SUFFIX = ".dlq"
EPOCH_TOPIC = "capreg.bus-epoch"

# topic -> consumer groups (one group per consuming service)
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    Topic.IDENTITY_INDIVIDUALS: ("registry", "auction"),
    Topic.IDENTITY_CREDENTIALS: ("identity", "registry", "transfers", "auction", "financial"),
    Topic.REGISTRY_ENTITIES: ("transfers", "auction"),
    Topic.REGISTRY_ACCOUNTS: ("identity", "transfers", "auction", "financial"),
    Topic.REGISTRY_LEDGER: ("transfers", "auction", "financial"),
    Topic.REGISTRY_LEDGER_COMMANDS: ("registry",),
    Topic.TRANSFERS: ("registry",),
    Topic.AUCTION: ("financial", "registry"),
    Topic.FINANCIAL: ("auction", "registry"),
    Topic.LINKAGE: (),
}

ALL_TOPICS: tuple[str, ...] = tuple(str(t) for t in Topic)


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


def all_topics_with_dead_letters() -> list[str]:
    return [*ALL_TOPICS, *(dead_letter_topic(t) for t in ALL_TOPICS), EPOCH_TOPIC]
