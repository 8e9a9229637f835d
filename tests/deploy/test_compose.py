"""docker-compose.yml cannot run here (no Docker engine): check it parses and matches the launcher."""

from __future__ import annotations

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
