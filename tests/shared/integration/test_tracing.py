"""Trace context crosses the bus: the consumer's span continues the producer's HTTP request trace."""

from __future__ import annotations

import uuid

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
                      "jurisdiction": "CA"},
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
