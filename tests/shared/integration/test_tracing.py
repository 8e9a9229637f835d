"""Trace context crosses the bus: the consumer's span continues the producer's HTTP request trace."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.testing.server import eventually


async def test_consumer_span_belongs_to_the_trace_of_the_request_that_produced_the_event(service_factory):
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    async with service_factory("identity") as identity, service_factory("registry"):
        async with identity.client() as client:
            r = await client.post(
                "/v1/registrations",
                json={"legal_name": "Trace Person", "email": f"t{uuid.uuid4().hex[:6]}@example.org",
                      "jurisdiction": "CA", "phone": "+1 415 555 0100", "date_of_birth": "1980-01-01",
                      "residence": {"line1": "1 Main St", "city": "Sacramento", "region": "CA",
                                    "postal_code": "95814", "country": "US"},
                      "government_id": {"type": "passport", "number": uuid.uuid4().hex[:9],
                                        "issuer": "U.S. Department of State", "expires_on": "2099-01-01"},
                      "bank_account": {"bank_name": "First Bank",
                                       "statement_date": datetime.now(UTC).date().isoformat()},
                      "attestation": {"felony_conviction_within_last_5_years": False,
                                      "information_is_true": True},
                      "password": "correct horse battery staple"},
            )
        assert r.status_code == 201

        def consumer_span():
            return [s for s in exporter.get_finished_spans() if s.name == "consume identity.individuals.v1"]

        spans = await eventually(consumer_span, timeout=30)
        request_traces = {
            s.context.trace_id for s in exporter.get_finished_spans() if "registrations" in s.name
        }
        assert request_traces, "the HTTP request was traced"
        assert any(s.context.trace_id in request_traces for s in spans)
