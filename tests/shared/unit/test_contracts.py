"""Contracts are versioned and tolerant: golden samples written by older producers still parse."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.contracts import ALL_TOPICS, SUBSCRIPTIONS, registered_events
from shared.contracts.base import event_class
from shared.messaging.envelope import Envelope

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_sample_still_parses_and_round_trips(path: Path):
    sample = json.loads(path.read_text())
    contract = event_class(sample["event_type"], sample["schema_version"])
    assert contract is not None, f"{sample['event_type']} v{sample['schema_version']} is no longer understood"
    event = contract.model_validate(sample["payload"])
    again = contract.model_validate(json.loads(event.model_dump_json()))
    assert again == event


def test_unknown_fields_are_ignored_by_a_tolerant_reader():
    sample = json.loads((Path(__file__).parent / "golden" / "identity.IndividualRegistered.v1.json").read_text())
    contract = event_class(sample["event_type"], 1)
    assert contract is not None
    event = contract.model_validate(sample["payload"] | {"added_in_a_later_minor_version": True})
    assert event.aggregate_id() == sample["payload"]["individual_id"]


def test_events_are_immutable():
    contract = event_class("identity.CredentialsRevoked", 1)
    assert contract is not None
    event = contract.model_validate({"individual_ids": ["a"], "revoked_before": "2026-11-23T09:00:00Z", "reason": "x"})
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        event.reason = "changed"  # type: ignore[misc]


def test_every_contract_names_a_known_topic_and_a_past_tense_or_command_type():
    for (event_type, version), contract in registered_events().items():
        assert contract.TOPIC in ALL_TOPICS, event_type
        assert version >= 1
        assert "." in event_type
    assert set(SUBSCRIPTIONS) == set(ALL_TOPICS)


def test_envelope_requires_utc_aware_time_and_carries_trace_headers():
    with pytest.raises(ValueError):
        Envelope(event_type="x.Y", occurred_at=datetime(2026, 1, 1), producer="p", aggregate_id="a", payload={})
    envelope = Envelope(
        event_type="x.Y", occurred_at=datetime.now(UTC), producer="p", aggregate_id="a", payload={},
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", correlation_id="c1",
    )
    headers = dict(envelope.headers())
    assert headers["traceparent"].startswith(b"00-")
    assert headers["event_id"] == str(envelope.event_id).encode()
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope
