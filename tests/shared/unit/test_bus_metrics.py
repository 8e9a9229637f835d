"""The bus gauges report the sampled outbox backlog and each consumer's lag per topic."""

from __future__ import annotations

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from shared import runtime as runtime_module
from shared.clock import ManualClock
from shared.config import ServiceSettings
from shared.db.engine import new_metadata
from shared.db.tables import add_infrastructure_tables
from shared.messaging.bus import EpochMonitor
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.stats import OutboxStats


def _points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, object], float]]]:
    found: dict[str, list[tuple[dict[str, object], float]]] = {}
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = [(dict(p.attributes or {}), p.value) for p in metric.data.data_points]
    return found


def test_gauges_report_the_outbox_backlog_and_consumer_lag_of_each_running_service():
    reader = InMemoryMetricReader()
    runtime_module.install_bus_gauges(MeterProvider(metric_readers=[reader]).get_meter("test"))
    rt = runtime_module.ServiceRuntime(settings=ServiceSettings(service_name="registry"),
                                       tables=add_infrastructure_tables(new_metadata()), clock=ManualClock())
    rt.outbox_stats = OutboxStats(pending=7, oldest_pending_age_seconds=12.5, published_unconfirmed=3)
    consumer = IdempotentConsumer(group="registry", bootstrap="unused:9092", handlers={}, uow_factory=rt.uow,
                                  epochs=EpochMonitor("unused:9092"), topics=["identity.individuals.v1"])
    consumer.lag = {"identity.individuals.v1": 42}
    rt.consumers.append(consumer)
    runtime_module._live.append(rt)
    try:
        points = _points(reader)
    finally:
        runtime_module._live.remove(rt)
    assert points["capreg.outbox.pending"] == [({"service": "registry"}, 7)]
    assert points["capreg.outbox.oldest_pending_age"] == [({"service": "registry"}, 12.5)]
    assert points["capreg.outbox.unconfirmed"] == [({"service": "registry"}, 3)]
    assert points["capreg.consumer.lag"] == [
        ({"service": "registry", "group": "registry", "topic": "identity.individuals.v1"}, 42)]


def test_a_stopped_service_is_no_longer_reported():
    reader = InMemoryMetricReader()
    runtime_module.install_bus_gauges(MeterProvider(metric_readers=[reader]).get_meter("test"))
    assert _points(reader).get("capreg.outbox.pending", []) == []
