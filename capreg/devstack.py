"""`capreg dev up`: the whole system on one machine, with embedded parts unless told otherwise.

Starts embedded PostgreSQL (or uses --database-url) and the tansu broker (or uses --kafka),
creates one database per service and migrates it, creates the topics, starts the five services
(each with its outbox relay and consumers) as child processes, loads demo data once, and prints
where each one listens. Ctrl-C stops everything; the next run keeps the data. If the broker dies
it is started again: it comes back empty, and the relays republish what was not yet confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from capreg.services import BY_NAME, PORTAL, SERVICES, ServiceSpec
from shared.db.migrate import upgrade
from shared.infra.embedded import EmbeddedPostgres, TansuBroker, ensure_database, free_port, port_open
from shared.messaging.bus import EpochMonitor

READY_TIMEOUT_SECONDS = 60.0


def _database_url(admin_url: str, database: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


@dataclass
class DevStack:
    data_dir: Path
    external_database: str | None = None
    external_kafka: str | None = None
    broker_port: int = 19092
    port_offset: int = 0
    demo: bool = True
    exit_when_ready: bool = False
    pg: EmbeddedPostgres | None = None
    broker: TansuBroker | None = None
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)
    _stopping: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DevStack:
        return cls(
            data_dir=Path(args.data_dir).resolve(),
            external_database=args.database_url,
            external_kafka=args.kafka,
            broker_port=args.broker_port,
            port_offset=args.port_offset,
            demo=not args.no_demo,
            exit_when_ready=args.exit_when_ready,
        )

    def port(self, spec: ServiceSpec) -> int:
        return spec.port + self.port_offset

    def url(self, spec: ServiceSpec) -> str:
        return f"http://127.0.0.1:{self.port(spec)}"

    # -- parts ---------------------------------------------------------------------------------
    def _say(self, message: str) -> None:
        print(f"capreg: {message}", flush=True)

    def start_database(self) -> str:
        if self.external_database:
            self._say("using external PostgreSQL")
            url = self.external_database
            return url if "+asyncpg" in url else url.replace("postgresql://", "postgresql+asyncpg://", 1)
        self.pg = EmbeddedPostgres(self.data_dir / "pgdata")
        self.pg.start()
        self._say(f"PostgreSQL (embedded) running, data in {self.data_dir / 'pgdata'}")
        return self.pg.url("postgres")

    def start_broker(self) -> str:
        if self.external_kafka:
            self._say(f"using external Kafka at {self.external_kafka}")
            return self.external_kafka
        port = self.broker_port
        if port_open(port):
            port = free_port()
            self._say(f"port {self.broker_port} is taken; the broker uses {port} instead")
        self.broker = TansuBroker(port=port, log_path=self.data_dir / "tansu.log")
        self.broker.start()
        self._say(f"Kafka-protocol broker (tansu, in memory) on {self.broker.bootstrap}")
        return self.broker.bootstrap

    def prepare_databases(self, admin_url: str) -> dict[str, str]:
        urls = {}
        for spec in SERVICES:
            asyncio.run(ensure_database(admin_url, spec.database))
            url = _database_url(admin_url, spec.database)
            upgrade(spec.migrations, url)
            urls[spec.name] = url
        self.database_urls = urls
        self._say("databases created and migrated: " + ", ".join(s.database for s in SERVICES))
        return urls

    def service_env(self, spec: ServiceSpec, database_url: str, bootstrap: str) -> dict[str, str]:
        p = spec.env_prefix
        identity = self.url(SERVICES[0])
        env = {
            **os.environ,
            f"{p}DATABASE_URL": database_url,
            f"{p}KAFKA_BOOTSTRAP": bootstrap,
            f"{p}HTTP_PORT": str(self.port(spec)),
            f"{p}IDENTITY_URL": identity,
            f"{p}JWT_ISSUER": identity,
            f"{p}ALLOW_CLOCK_CONTROL": "true",
            f"{p}LOG_JSON": os.environ.get(f"{p}LOG_JSON", "true"),
        }
        if spec.name == "identity":  # the portal's callback under the port offset (exact-match redirect URI)
            env[f"{p}PORTAL_REDIRECT_URIS"] = json.dumps([f"{self.url(PORTAL)}/callback"])
        if spec.name == "auction":  # holding-limit headroom of bidders (§95912(h)(8)) comes from the registry
            env[f"{p}REGISTRY_URL"] = self.url(BY_NAME["registry"])
        return env

    def start_services(self, urls: dict[str, str], bootstrap: str) -> None:
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for spec in SERVICES:
            if port_open(self.port(spec)):
                raise SystemExit(
                    f"capreg: port {self.port(spec)} for {spec.name} is taken; is another stack running? "
                    "(--port-offset N moves every service's port)"
                )
            log = open(logs / f"{spec.name}.log", "ab")  # noqa: SIM115 - owned by the child's lifetime
            self.children[spec.name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", f"services.{spec.name}"],
                env=self.service_env(spec, urls[spec.name], bootstrap),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._say(f"services starting; logs in {logs}")

    def portal_env(self) -> dict[str, str]:
        p = PORTAL.env_prefix
        env = {**os.environ, f"{p}HTTP_PORT": str(self.port(PORTAL)), f"{p}PUBLIC_URL": self.url(PORTAL),
               f"{p}LOG_JSON": os.environ.get(f"{p}LOG_JSON", "true")}
        for spec in SERVICES:
            env[f"{p}{spec.name.upper()}_URL"] = self.url(spec)
        return env

    def start_portal(self) -> None:
        if port_open(self.port(PORTAL)):
            raise SystemExit(f"capreg: port {self.port(PORTAL)} for the portal is taken; is another stack running? "
                             "(--port-offset N moves every service's port)")
        log = open(self.data_dir / "logs" / "portal.log", "ab")  # noqa: SIM115 - owned by the child's lifetime
        self.children[PORTAL.name] = subprocess.Popen(
            [sys.executable, "-m", "services.portal"], env=self.portal_env(), stdout=log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, started: float, specs: tuple[ServiceSpec, ...] = SERVICES) -> None:
        pending = {s.name: s for s in specs}
        with httpx.Client(timeout=2.0) as client:
            while pending and time.monotonic() - started < READY_TIMEOUT_SECONDS:
                for name, spec in list(pending.items()):
                    child = self.children[name]
                    if child.poll() is not None:
                        raise SystemExit(f"capreg: {name} exited ({child.returncode}); see its log")
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"{self.url(spec)}/readyz").status_code == 200:
                            del pending[name]
                time.sleep(0.2)
        if pending:
            raise SystemExit(f"capreg: not ready after {READY_TIMEOUT_SECONDS:.0f}s: {', '.join(pending)}")

    def load_demo(self) -> None:
        marker = self.data_dir / "demo-loaded"
        if not self.demo or marker.exists():
            return
        from capreg.demo import load_demo

        summary = load_demo({s.name: self.url(s) for s in SERVICES}, self.database_urls)
        marker.write_text(summary)
        self._say("demo data loaded:\n" + summary)

    def print_endpoints(self, elapsed: float) -> None:
        lines = [f"all five services healthy in {elapsed:.1f}s", ""]
        for spec in SERVICES:
            lines.append(f"  {spec.name:<10} {self.url(spec)}   (API docs: /docs, OpenAPI: /openapi.json)")
        if PORTAL.name in self.children:
            lines.append(f"  {'portal':<10} {self.url(PORTAL)}   (web portal: sign in with a demo user's e-mail, "
                         "password and TOTP code)")
        demo = self.data_dir / "demo-loaded"
        if demo.exists():
            lines += ["", "demo accounts: see " + str(demo)]
        lines += ["", "Ctrl-C stops everything; the data stays in " + str(self.data_dir)]
        print("\n".join(lines), flush=True)

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> int:
        started = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: self._request_stop())
        try:
            admin_url = self.start_database()
            bootstrap = self.start_broker()
            asyncio.run(EpochMonitor(bootstrap).current())  # creates the topics on a new cluster
            urls = self.prepare_databases(admin_url)
            self.start_services(urls, bootstrap)
            self.wait_ready(started)
            self.start_portal()
            self.wait_ready(started, (PORTAL,))
            self.print_endpoints(time.monotonic() - started)
            self.load_demo()
            if self.exit_when_ready:
                return 0
            self.supervise()
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            self.shutdown()

    def _request_stop(self) -> None:
        self._stopping = True

    def supervise(self) -> None:
        while not self._stopping:
            time.sleep(0.5)
            if self.broker and self.broker.process and self.broker.process.poll() is not None:
                self._say("the broker exited; starting a new one (the relays will republish)")
                self.broker.start()
            for name, child in self.children.items():
                if child.poll() is not None:
                    self._say(f"{name} exited with {child.returncode}; stopping the stack")
                    return

    def shutdown(self) -> None:
        self._say("stopping")
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(max(0.1, deadline - time.monotonic()))
            if child.poll() is None:
                child.kill()
        if self.broker:
            self.broker.stop()
        if self.pg:
            self.pg.stop()
        self._say("stopped")
