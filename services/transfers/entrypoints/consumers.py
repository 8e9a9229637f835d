"""Kafka topics -> contracts -> commands, for the transfers service."""

from shared.runtime import ServiceRuntime, Subscription


def subscriptions(runtime: ServiceRuntime) -> list[Subscription]:
    return [runtime.credential_subscription()]
