"""Prometheus metrics of the collector, on a registry given at start-up.

Labels are closed sets only (profile names, scan and probe outcomes): never an address, a host,
a URL or an id."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from spbe_common.events.enums import ScanStatus

from .probes.enums import ProbeOutcome
from .scans.enums import ProfileName

DAY_S = 86400
# 0, 7, 14, 30, 60, 90, 180, 365 days, in seconds: promtool refuses a unit other than the base one
CERTIFICATE_BUCKETS = tuple(days * DAY_S for days in (0, 7, 14, 30, 60, 90, 180, 365))
SCAN_SECONDS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)


class CollectorMetrics:
    """What scans, probes and publishing record; every label value starts at 0 so that rules and
    dashboards find each series before the first scan."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.scans = Counter(
            "spbe_collector_scans",
            "Scans finished, by profile and outcome (complete / partial / failed)",
            ["profile", "outcome"],
            registry=registry,
        )
        self.scan_seconds = Histogram(
            "spbe_collector_scan_duration_seconds",
            "Wall time of a scan, from scan.started to scan.completed",
            ["profile"],
            buckets=SCAN_SECONDS_BUCKETS,
            registry=registry,
        )
        self.hosts_found = Counter(
            "spbe_collector_hosts_found",
            "Live hosts published as asset.observed, by profile",
            ["profile"],
            registry=registry,
        )
        self.open_ports_found = Counter(
            "spbe_collector_open_ports_found",
            "Open ports of the published hosts, by profile",
            ["profile"],
            registry=registry,
        )
        self.chunk_failures = Counter(
            "spbe_collector_scan_chunk_failures",
            "nmap runs over a chunk of a scope that failed or timed out, by profile",
            ["profile"],
            registry=registry,
        )
        self.publish_failures = Counter(
            "spbe_collector_publish_failures",
            "Attempts to queue events on the bus that raised",
            registry=registry,
        )
        self.probes = Counter(
            "spbe_collector_probes",
            "Application probes, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.certificate_expires_in = Histogram(
            "spbe_collector_certificate_expires_in_seconds",
            "Time until the probed application's TLS certificate expires (negative: expired);"
            " buckets of 0, 7, 14, 30, 60, 90, 180, 365 days",
            buckets=CERTIFICATE_BUCKETS,
            registry=registry,
        )
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        for profile in ProfileName:
            for status in ScanStatus:
                self.scans.labels(profile.value, status.value)
            self.scan_seconds.labels(profile.value)
            self.hosts_found.labels(profile.value)
            self.open_ports_found.labels(profile.value)
            self.chunk_failures.labels(profile.value)
        for outcome in ProbeOutcome:
            self.probes.labels(outcome.value)

    def scan_finished(self, profile: ProfileName, status: ScanStatus, seconds: float) -> None:
        self.scans.labels(profile.value, status.value).inc()
        self.scan_seconds.labels(profile.value).observe(max(seconds, 0.0))

    def hosts_published(self, profile: ProfileName, hosts: int, open_ports: int) -> None:
        self.hosts_found.labels(profile.value).inc(hosts)
        self.open_ports_found.labels(profile.value).inc(open_ports)

    def chunk_failed(self, profile: ProfileName) -> None:
        self.chunk_failures.labels(profile.value).inc()

    def publish_failed(self) -> None:
        self.publish_failures.inc()

    def probed(self, outcome: ProbeOutcome, certificate_seconds_left: float | None) -> None:
        self.probes.labels(outcome.value).inc()
        if certificate_seconds_left is not None:
            self.certificate_expires_in.observe(certificate_seconds_left)
