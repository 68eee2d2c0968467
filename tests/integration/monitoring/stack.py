"""A real Prometheus (Debian's package) scraping the SPBE processes the test runs on loopback.

One stack per test session (conftest.py), shared by test_prometheus_scrapes.py and test_promql.py:
- the inventory as `spbe up` wires it (runtime.Inventory: API + consumer on one registry; SQLite,
  embedded event log, the sample catalogue), its API under uvicorn in a thread;
- the scorer API, reading that inventory over HTTP with its service account's token;
- the collector's metrics server, and a real nmap scan of a loopback HTTP server whose events go
  to the inventory's event log and through its running consumer;
- Prometheus, scraping all three every second and evaluating deploy/prometheus/alerts.yml.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from harness import bearer, grant
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from spbe_collector.metrics import CollectorMetrics
from spbe_collector.scans.enums import ProfileName
from spbe_collector.scans.service import ScanService, ScanSummary
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_collector.service import MetricsServer, serve_metrics
from spbe_collector.settings import CollectorSettings
from spbe_common.auth import Role
from spbe_common.bus import make_bus
from spbe_common.events import Topic
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.runtime import Inventory
from spbe_inventory.settings import InventorySettings
from spbe_scorer.api.app import create_app as create_scorer_app
from spbe_scorer.runtime import Runtime, build_runtime
from spbe_scorer.settings import ScorerSettings

ROOT = Path(__file__).resolve().parents[3]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
SCOPE_KEY = "uji-monitoring"
OPD = "DISKOMINFOSATIK"
WAIT_S = 30  # the longest any read-back may take (scrapes and rule evaluations every second)


def tool_path(name: str) -> str:
    """A failure in CI (CI=true), a skip elsewhere, when Debian's prometheus package is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (deploy/local/services.sh start, or apt-get install -y prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s} s")
        time.sleep(0.2)


@contextlib.contextmanager
def served(app: Any, port: int) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, f"uvicorn on port {port}", 15)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # port scans reset connections mid-request
            super().handle()


@contextlib.contextmanager
def loopback_http(host: str) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer((host, 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


# --- Prometheus -------------------------------------------------------------------------------


@dataclass
class Prometheus:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, path: str, **params: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        body = response.json()
        assert response.status_code == 200 and body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.api("query", query=expr)
        return list(data["result"]) if data["resultType"] == "vector" else [data]

    def values(self, expr: str) -> dict[frozenset[tuple[str, str]], float]:
        return {frozenset(r["metric"].items()): float(r["value"][1]) for r in self.query(expr)}

    def wait_for(
        self, expr: str, accept: Callable[[list[dict[str, Any]]], bool], what: str
    ) -> list[dict[str, Any]]:
        """Polls an instant query until `accept` says yes (bounded: WAIT_S)."""
        found: list[dict[str, Any]] = []

        def ready() -> bool:
            nonlocal found
            found = self.query(expr)
            return accept(found)

        try:
            wait_until(ready, what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; {expr} gave {found}\n{self.log_tail()}") from None
        return found

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def prometheus_config(targets: dict[str, str]) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ALERTS)],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ],
    }


@contextlib.contextmanager
def run_prometheus(workdir: Path, targets: dict[str, str]) -> Iterator[Prometheus]:
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(prometheus_config(targets)), encoding="utf-8")
    port = free_port()
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                tool_path("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    prometheus = Prometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(lambda: _ready(prometheus), "Prometheus ready", 20)
        yield prometheus
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _ready(prometheus: Prometheus) -> bool:
    if prometheus.process.poll() is not None:
        raise AssertionError(f"Prometheus exited:\n{prometheus.log_tail()}")
    try:
        return httpx.get(f"{prometheus.url}/-/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --- the SPBE processes -----------------------------------------------------------------------


@dataclass
class Stack:
    inventory: Inventory
    inventory_url: str
    scorer_url: str
    collector_url: str
    admin: dict[str, str]  # bearer header of an inventory admin (both APIs accept it)
    scan: ScanSummary
    run: dict[str, Any]  # the scorer run the test made
    prometheus: Prometheus

    @property
    def metrics_urls(self) -> dict[str, str]:
        return {
            "inventory": f"{self.inventory_url}/metrics",
            "scorer": f"{self.scorer_url}/metrics",
            "collector": self.collector_url,
        }


@contextlib.contextmanager
def run_inventory(workdir: Path) -> Iterator[tuple[Inventory, str]]:
    settings = InventorySettings(
        _env_file=None, data_dir=workdir / "inventory", api_port=free_port(),
        poll_timeout_s=0.05, batch_size=100, quality_cache_s=0,
    )  # fmt: skip
    inventory = Inventory.build(settings)
    inventory.migrate()
    inventory.load_sample_if_empty()
    consumer = inventory.consumer()  # counts on the API's registry, as `spbe up` wires it
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    app = create_inventory_app(settings, inventory.engine, inventory.registry)
    try:
        with served(app, settings.api_port) as url:
            yield inventory, url
    finally:
        stop.set()
        thread.join(timeout=10)
        consumer.close()
        inventory.engine.dispose()


@contextlib.contextmanager
def run_scorer(workdir: Path, inventory_url: str, token: str) -> Iterator[tuple[Runtime, str]]:
    settings = ScorerSettings(
        _env_file=None, data_dir=workdir / "scorer", event_log_path=workdir / "scores.db",
        inventory_url=inventory_url, inventory_token=SecretStr(token), scorer_api_port=free_port(),
    )  # fmt: skip
    runtime = build_runtime(settings, registry=CollectorRegistry(), publish=False)
    app = create_scorer_app(settings, runtime.scorer, runtime.registry)
    try:
        with served(app, settings.scorer_api_port) as url:
            yield runtime, url
    finally:
        runtime.close()


@contextlib.contextmanager
def run_collector(
    inventory: Inventory,
) -> Iterator[tuple[CollectorSettings, CollectorMetrics, str]]:
    settings = CollectorSettings(
        _env_file=None, data_dir=inventory.settings.data_dir / "collector",
        event_log_path=inventory.settings.log_path,  # the log the inventory consumes
        collector_metrics_port=free_port(), collector_metrics_host="127.0.0.1",
        scan_chunk_timeout_s=60,
    )  # fmt: skip
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)
    server = serve_metrics(settings, registry)
    assert isinstance(server, MetricsServer)
    try:
        yield settings, metrics, server.url
    finally:
        server.close()


def scan_loopback(settings: CollectorSettings, metrics: CollectorMetrics) -> ScanSummary:
    """A real nmap scan (common ports) of a plain HTTP server on 127.0.0.2."""
    with loopback_http("127.0.0.2") as port:
        scope = ValidatedScope(
            SCOPE_KEY, OPD, (ip_network("127.0.0.2/32"),), (), ProfileName.COMMON_PORTS, None,
            ((port, port),),
        )  # fmt: skip
        producer = make_bus(settings).producer()
        try:
            return ScanService(settings, producer, metrics=metrics).scan(scope)
        finally:
            producer.close()


def send_poison(inventory: Inventory) -> None:
    """An event the consumer cannot read: it is set aside (a dead letter)."""
    producer = inventory.bus.producer()
    try:
        producer.send(Topic.EVENTS.value, None, b"{not json", [("ce_type", b"asset.observed")])
        producer.flush()
    finally:
        producer.close()


@contextlib.contextmanager
def running_stack(workdir: Path) -> Iterator[Stack]:
    """Starts everything, scans, ingests, scores; stops it all (Prometheus too) on the way out."""
    tool_path("prometheus")
    if shutil.which("nmap") is None:  # a failure, never a skip: CI must run these
        pytest.fail("nmap is not installed: run deploy/local/services.sh start")
    with contextlib.ExitStack() as stack_:
        inventory, inventory_url = stack_.enter_context(run_inventory(workdir))
        scorer_token = grant(inventory.engine, Role.SCORER, name="scorer")
        admin = bearer(grant(inventory.engine, Role.ADMIN))
        _, scorer_url = stack_.enter_context(run_scorer(workdir, inventory_url, scorer_token))
        settings, metrics, collector_url = stack_.enter_context(run_collector(inventory))
        prometheus = stack_.enter_context(
            run_prometheus(
                workdir,
                {
                    "spbe-inventory-api": inventory_url.removeprefix("http://"),
                    "spbe-scorer": scorer_url.removeprefix("http://"),
                    "spbe-collector": collector_url.removeprefix("http://").removesuffix(
                        "/metrics"
                    ),
                },
            )
        )
        scan = scan_loopback(settings, metrics)
        send_poison(inventory)
        response = httpx.post(
            f"{scorer_url}/api/v1/runs", json={"framework": "spbe-2020"}, headers=admin, timeout=60
        )
        assert response.status_code == 201, response.text
        run = httpx.get(
            f"{scorer_url}/api/v1/runs/{response.json()['id']}", headers=admin, timeout=10
        ).json()  # with its domains and aspects
        yield Stack(
            inventory, inventory_url, scorer_url, collector_url, admin, scan, run, prometheus
        )
