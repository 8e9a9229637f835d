"""Kafka topics -> contracts -> commands, for the identity service.

One subscription (one consumer in the group "identity") for both topics: members of a group with
different topic sets make every rebalance slower and some brokers mishandle them.
"""

from services.identity.application.representatives import on_account_changed
from shared.contracts.registry import AccountChanged
from shared.contracts.topics import Topic
from shared.runtime import ServiceRuntime, Subscription


def subscriptions(runtime: ServiceRuntime) -> list[Subscription]:
    credentials = runtime.credential_subscription()
    return [
        Subscription(
            [*credentials.topics, Topic.REGISTRY_ACCOUNTS],
            {
                **credentials.handlers,
                # who represents which entity (§95832), for credential-compromise incidents
                AccountChanged.EVENT_TYPE: on_account_changed,
            },
        )
    ]
