"""The transfers service's event contracts: golden samples parse, round-trip and stay on their topic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import shared.contracts  # noqa: F401 - registers every contract
from shared.contracts.base import event_class, registered_events
from shared.contracts.topics import SUBSCRIPTIONS, Topic

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_sample_parses_round_trips_and_is_keyed_by_its_transfer(path: Path):
    sample = json.loads(path.read_text())
    contract = event_class(sample["event_type"], sample["schema_version"])
    assert contract is not None
    event = contract.model_validate(sample["payload"] | {"a_field_from_a_later_version": 1})
    assert contract.model_validate(json.loads(event.model_dump_json())) == event
    assert event.aggregate_id() == sample["payload"]["transfer_id"]


def test_every_transfers_event_goes_on_the_transfers_topic_with_a_past_tense_name():
    ours = {t: c for (t, _), c in registered_events().items() if t.startswith("transfers.")}
    assert len(ours) >= 15
    assert all(c.TOPIC == Topic.TRANSFERS for c in ours.values())
    assert Topic.TRANSFERS in SUBSCRIPTIONS
