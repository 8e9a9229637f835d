"""The relay's SUBSCRIPTIONS table must name exactly the services whose consumers read each topic.

The relay treats an event as confirmed once every group listed for its topic has committed past it;
a missing group means events that service never read count as delivered and are not resent after a
broker restart, an extra group means events are resent forever.
"""

from __future__ import annotations

import importlib

import pytest

from capreg.services import SERVICES
from shared.contracts.topics import SUBSCRIPTIONS


def _consumed_topics(service: str) -> set[str]:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap").bootstrap
    runtime = bootstrap()  # builds the composition root; no I/O until the lifespan starts
    return {str(topic) for sub in runtime.subscriptions for topic in sub.topics}


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_subscriptions_table_matches_what_each_service_consumes(service: str):
    declared = {str(topic) for topic, groups in SUBSCRIPTIONS.items() if service in groups}
    assert _consumed_topics(service) == declared
