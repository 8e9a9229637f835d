"""docker-compose.yml cannot run here (no Docker engine): check it parses and matches the launcher."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from capreg.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_declares_kafka_in_kraft_mode_postgres_a_collector_and_all_five_services(compose):
    services = compose["services"]
    assert {"postgres", "kafka", "otel-collector"} <= set(services)
    assert {s.name for s in SERVICES} <= set(services)
    kafka = services["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"] and "broker" in kafka["KAFKA_PROCESS_ROLES"]
    assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in kafka, "KRaft needs a controller quorum, not ZooKeeper"
    assert not any("ZOOKEEPER" in k for k in kafka)


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_service_is_built_from_the_one_dockerfile_with_the_launchers_settings(compose, spec):
    service = compose["services"][spec.name]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (ROOT / service["build"]["dockerfile"]).exists()
    env = service["environment"]
    settings_fields = set(spec.settings_class().model_fields)
    for key in env:
        if key == "CAPREG_SERVICE":
            continue
        assert key.startswith(spec.env_prefix), f"{key} is not one of {spec.name}'s settings"
        assert key.removeprefix(spec.env_prefix).lower() in settings_fields, f"{key} is read by nobody"
    assert env["CAPREG_SERVICE"] == spec.name
    assert env[f"{spec.env_prefix}HTTP_PORT"] == str(spec.port), "same port as `capreg dev up`"
    assert env[f"{spec.env_prefix}KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env[f"{spec.env_prefix}DATABASE_URL"].endswith(f"/{spec.database}")
    assert f"{spec.port}:{spec.port}" in service["ports"]
    assert {"postgres", "kafka"} <= set(service["depends_on"])


def test_every_service_database_is_created_by_the_init_script(compose):
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+);", init))
    assert created == {s.database for s in SERVICES}


def test_collector_config_mounted_and_parseable(compose):
    collector = compose["services"]["otel-collector"]
    source = collector["volumes"][0].split(":")[0]
    config = yaml.safe_load((ROOT / source).read_text())
    assert "otlp" in config["receivers"]
    assert set(config["service"]["pipelines"]) >= {"traces", "metrics"}


# ---- monitoring: the collector exports to Prometheus, Prometheus scrapes it, Grafana shows it ----------------

def _mounted(service: dict, target: str) -> Path:
    """The host path of the bind mount whose container path is `target`."""
    for volume in service["volumes"]:
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target:
            assert source.startswith("./"), f"{volume} is not a file of the repository"
            return ROOT / source
    raise AssertionError(f"nothing mounted at {target}")


def test_the_collector_exports_metrics_to_a_prometheus_endpoint_in_a_metrics_pipeline(compose):
    collector = compose["services"]["otel-collector"]
    config = yaml.safe_load(_mounted(collector, "/etc/otelcol/config.yaml").read_text())
    prometheus = config["exporters"]["prometheus"]
    assert "prometheus" in config["service"]["pipelines"]["metrics"]["exporters"]
    assert "otlp" in config["service"]["pipelines"]["metrics"]["receivers"]
    port = prometheus["endpoint"].rsplit(":", 1)[1]
    assert any(str(p).endswith(f":{port}") for p in collector["ports"])


def test_prometheus_scrapes_the_collectors_exporter(compose):
    prometheus = compose["services"]["prometheus"]
    assert prometheus["image"].startswith("prom/prometheus:")
    config_path = _mounted(prometheus, "/etc/prometheus/prometheus.yml")
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    config = yaml.safe_load(config_path.read_text())
    collector = yaml.safe_load(_mounted(compose["services"]["otel-collector"], "/etc/otelcol/config.yaml").read_text())
    port = collector["exporters"]["prometheus"]["endpoint"].rsplit(":", 1)[1]
    targets = {t for job in config["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]}
    assert f"otel-collector:{port}" in targets
    assert "otel-collector" in prometheus["depends_on"]


def test_grafana_is_provisioned_with_the_prometheus_datasource_and_the_capreg_dashboard(compose):
    grafana = compose["services"]["grafana"]
    assert grafana["image"].startswith("grafana/grafana")
    provisioning = _mounted(grafana, "/etc/grafana/provisioning")
    [datasource] = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    [provider] = yaml.safe_load((provisioning / "dashboards" / "capreg.yaml").read_text())["providers"]
    dashboards = _mounted(grafana, provider["options"]["path"])
    files = sorted(dashboards.glob("*.json"))
    assert files, "no dashboard to provision"
    exprs = []
    for file in files:
        dashboard = json.loads(file.read_text())
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == datasource["uid"], f"{panel['title']}: another datasource"
            exprs += [t["expr"] for t in panel["targets"]]
    text = "\n".join(exprs)
    for metric in ("http_server_duration_milliseconds", "capreg_outbox_pending", "capreg_consumer_lag",
                   "capreg_consumer_dead_lettered_total"):
        assert metric in text, f"no panel shows {metric}"


def test_the_portal_is_built_from_the_one_dockerfile_and_reaches_the_services_by_their_compose_names(compose):
    from services.portal.config import Settings as PortalSettings

    portal = compose["services"]["portal"]
    assert portal["build"]["dockerfile"] == "deploy/Dockerfile"
    assert portal["command"] == ["python", "-m", "services.portal"]
    env = portal["environment"]
    fields = set(PortalSettings.model_fields)
    for key in env:
        assert key.startswith("CAPREG_PORTAL_") and key.removeprefix("CAPREG_PORTAL_").lower() in fields, key
    assert env["CAPREG_PORTAL_HTTP_PORT"] == "8100" and "8100:8100" in portal["ports"]
    for spec in SERVICES:
        assert env[f"CAPREG_PORTAL_{spec.name.upper()}_URL"] == f"http://{spec.name}:{spec.port}"
        assert spec.name in portal["depends_on"]


def _with_defaults(value: str) -> str:
    """What compose makes of `${VAR:-default}` when VAR is not set."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def test_identity_accepts_the_portals_public_callback_and_the_portal_exports_telemetry(compose):
    from services.identity.config import Settings as IdentitySettings
    from services.portal.config import Settings as PortalSettings

    portal_env = {k: _with_defaults(str(v)) for k, v in compose["services"]["portal"]["environment"].items()}
    identity_env = compose["services"]["identity"]["environment"]
    raw = identity_env["CAPREG_IDENTITY_PORTAL_REDIRECT_URIS"]
    assert "${CAPREG_PORTAL_PUBLIC_URL:-" in raw, "one variable sets both the portal's URL and identity's list"
    portal = PortalSettings(public_url=portal_env["CAPREG_PORTAL_PUBLIC_URL"])
    redirect_uris = json.loads(_with_defaults(raw))
    assert portal.redirect_uri in IdentitySettings(portal_redirect_uris=redirect_uris).portal_redirect_uris
    assert portal.redirect_uri == "http://127.0.0.1:8100/callback"
    assert portal_env["CAPREG_PORTAL_IDENTITY_PUBLIC_URL"] == identity_env["CAPREG_IDENTITY_JWT_ISSUER"]
    assert portal_env["CAPREG_PORTAL_OTEL_EXPORTER_ENDPOINT"] == identity_env["CAPREG_IDENTITY_OTEL_EXPORTER_ENDPOINT"]
