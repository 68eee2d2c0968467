"""Wiring for the edges (CLI, `spbe up`): build the collector's parts from one settings object."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

from spbe_common.bus import make_bus, publish
from spbe_common.events import Event
from spbe_common.heartbeat import Heartbeat

from .metrics import CollectorMetrics
from .probes.service import ProbeService
from .requests.consumer import GROUP, ScanRequestConsumer
from .requests.service import ScanRequestHandler
from .scans.lock import ScanAlreadyRunning
from .scans.service import ScanService
from .schedules.repository import FILE_NAME, LastRuns
from .schedules.service import Scheduler
from .scopes.catalogue import SAMPLE_SCOPES, OpdCatalogue, scopes_file
from .scopes.repository import KnownOpd, ScopeRepository, YamlScopeSource
from .scopes.schemas import ValidatedProbe, ValidatedScope
from .scopes.service import parse_allowlist
from .settings import CollectorSettings

log = logging.getLogger(__name__)


def scope_repository(
    settings: CollectorSettings, known_opd: KnownOpd | None = None
) -> ScopeRepository:
    """The scopes of the chosen file (see scopes.catalogue.scopes_file), each OPD checked against
    the inventory's catalogue (`known_opd`, by default an OpdCatalogue of these settings)."""
    path = scopes_file(settings).path
    sample = {"inventory_url": settings.inventory_url.rstrip("/")} if path == SAMPLE_SCOPES else {}
    source = YamlScopeSource(path, sample)
    check = known_opd if known_opd is not None else OpdCatalogue(settings)
    return ScopeRepository(source, parse_allowlist(settings.scan_allowlist), check)


@dataclass
class MetricsServer:
    """The collector's /metrics (prometheus_client's HTTP server on its own thread)."""

    server: WSGIServer
    thread: threading.Thread
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}/metrics"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_metrics(settings: CollectorSettings, registry: CollectorRegistry) -> MetricsServer | None:
    """Serve `registry` on collector_metrics_host:collector_metrics_port; None when the port is 0.
    Raises OSError when the port is taken."""
    if not settings.collector_metrics_port:
        return None
    server, thread = start_http_server(
        settings.collector_metrics_port, settings.collector_metrics_host, registry
    )
    served = MetricsServer(server, thread, settings.collector_metrics_host)
    log.info("collector metrics on %s", served.url)
    return served


@dataclass
class CollectorScheduler:
    """The scopes file's schedules: scans, and probes on a thread of their own so that a scan of
    hours never holds back the probes that the 'application down' alert reads."""

    scans: Scheduler[ValidatedScope]
    probes: Scheduler[ValidatedProbe]

    def run_now(self, scope: ValidatedScope) -> None:
        """Scan one scope at once, outside its schedule (start-up, on demand)."""
        self.scans.run_now(scope)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Both loops until `stop_event` is set; new probes run at once, then on their schedule."""
        thread = threading.Thread(
            target=self.probes.run_forever, args=(stop_event,), name="probes", daemon=True
        )
        thread.start()
        try:
            self.scans.run_forever(stop_event)
        finally:  # interrupted (stop not set): the caller sets it next, the thread is a daemon
            thread.join(timeout=30 if stop_event.is_set() else 0)


def build_scheduler(
    settings: CollectorSettings, metrics: CollectorMetrics | None = None
) -> CollectorScheduler:
    """Scans and probes of the scopes file, published through the configured bus; nothing
    connects until a run. Both read one repository (one OPD catalogue). Each scope's last scan
    is kept in the data directory; both loops beat SPBE_HEARTBEAT_FILE (if set), so a scan of
    hours does not silence it while the probes' loop goes on."""
    repository = scope_repository(settings)
    allowlist = parse_allowlist(settings.scan_allowlist)

    def run_scan(scope: ValidatedScope) -> None:
        producer = make_bus(settings).producer()
        try:
            summary = ScanService(settings, producer, metrics=metrics).scan(scope)
            log.info("scan %s of %s: %s", summary.scan_id, scope.key, summary.status)
        except ScanAlreadyRunning as exc:
            log.warning("%s; skipped", exc)
        finally:
            producer.close()

    def run_probe(probe: ValidatedProbe) -> None:
        producer = make_bus(settings).producer()
        try:
            service = ProbeService(settings, producer, metrics=metrics, allowlist=allowlist)
            seen = list(service.probe(probe.urls))
        finally:
            producer.close()
        answered = sum(observed.reachable for observed in seen)
        log.info("probe %s: %d of %d URLs answered", probe.key, answered, len(probe.urls))

    heartbeat = Heartbeat.from_settings(settings)
    last_runs = LastRuns(settings.data_dir / FILE_NAME)
    return CollectorScheduler(
        Scheduler(repository.all, run_scan, last_runs=last_runs, heartbeat=heartbeat),
        Scheduler(repository.probes, run_probe, what="probe", heartbeat=heartbeat),
    )


def build_request_consumer(
    settings: CollectorSettings, group_id: str = GROUP, metrics: CollectorMetrics | None = None
) -> ScanRequestConsumer:
    """The scan-request loop: each request's scan publishes through the configured bus."""
    bus = make_bus(settings)
    repository = scope_repository(settings)

    def run_scan(scope: ValidatedScope, scan_id: str) -> None:
        producer = bus.producer()
        try:  # ScanAlreadyRunning goes up: the handler answers it
            summary = ScanService(settings, producer, metrics=metrics).scan(scope, scan_id=scan_id)
            log.info("requested scan %s of %s: %s", scan_id, scope.key, summary.status)
        finally:
            producer.close()

    def send(events: Sequence[Event]) -> None:
        producer = bus.producer()
        try:
            publish(producer, events)
        finally:
            producer.close()  # flushes: durable before the next request is read

    handler = ScanRequestHandler(repository.all, run_scan, send)
    return ScanRequestConsumer(bus, handler.handle, group_id=group_id)
