"""The envelope every event travels in. Additive changes only within a major version."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

ENVELOPE_VERSION = 1


class Envelope(BaseModel):
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str
    schema_version: int = 1
    occurred_at: datetime
    producer: str
    aggregate_id: str
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None
    payload: dict[str, Any]

    model_config = {"extra": "ignore"}

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Envelope:
        if raw is None:
            raise ValueError("empty message")
        return cls.model_validate(json.loads(raw))

    def headers(self) -> list[tuple[str, bytes]]:
        out = [
            ("event_id", str(self.event_id).encode()),
            ("event_type", self.event_type.encode()),
            ("schema_version", str(self.schema_version).encode()),
            ("producer", self.producer.encode()),
            ("content-type", b"application/json"),
        ]
        if self.correlation_id:
            out.append(("correlation_id", self.correlation_id.encode()))
        if self.traceparent:
            out.append(("traceparent", self.traceparent.encode()))
        return out
