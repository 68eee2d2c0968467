"""What the collector's metrics count, with a recorded-output runner in place of nmap, recorded
HTTP probes and injected transports (no processes, no network, in-memory bus)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from unit.collector.test_collector_scan_service import BINARY, RecordedRunner, _scope

from spbe_collector.metrics import DAY_S, CollectorMetrics
from spbe_collector.probes.enums import ProbeOutcome
from spbe_collector.probes.schemas import RawProbe
from spbe_collector.probes.service import ProbeService
from spbe_collector.probes.transform import outcome, seconds_left, transform
from spbe_collector.scans.enums import ProfileName
from spbe_collector.scans.service import ScanService
from spbe_collector.service import serve_metrics
from spbe_collector.settings import CollectorSettings
from spbe_common.events.enums import ScanStatus

HTTP = Path(__file__).resolve().parents[2] / "data" / "http"


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def scan(tmp_path: Path, producer, registry, profile: ProfileName, runner=None):
    settings = CollectorSettings(data_dir=tmp_path, scan_chunk_size=1)
    service = ScanService(
        settings, producer, runner=runner or RecordedRunner(), binary=BINARY,
        metrics=CollectorMetrics(registry),
    )  # fmt: skip
    return service.scan(_scope(profile))


def test_every_series_starts_at_zero(registry) -> None:
    CollectorMetrics(registry)
    for profile in ProfileName:
        for status in ScanStatus:
            labels = {"profile": profile.value, "outcome": status.value}
            assert value(registry, "spbe_collector_scans_total", **labels) == 0
        assert value(registry, "spbe_collector_hosts_found_total", profile=profile.value) == 0
    for kind in ProbeOutcome:
        assert value(registry, "spbe_collector_probes_total", outcome=kind.value) == 0
    assert value(registry, "spbe_collector_publish_failures_total") == 0


def test_a_complete_scan_counts_its_hosts_open_ports_and_duration(
    tmp_path, producer, registry
) -> None:
    summary = scan(tmp_path, producer, registry, ProfileName.SERVICE_VERSION)
    profile = {"profile": "service-version"}
    assert summary.status is ScanStatus.COMPLETE
    assert value(registry, "spbe_collector_scans_total", **profile, outcome="complete") == 1
    assert value(registry, "spbe_collector_scans_total", **profile, outcome="failed") == 0
    assert value(registry, "spbe_collector_hosts_found_total", **profile) == 2
    assert value(registry, "spbe_collector_open_ports_found_total", **profile) == 2
    assert value(registry, "spbe_collector_scan_duration_seconds_count", **profile) == 1
    assert value(registry, "spbe_collector_scan_chunk_failures_total", **profile) == 0
    assert value(registry, "spbe_collector_hosts_found_total", profile="discovery") == 0


def test_timed_out_chunks_are_counted_and_the_scan_is_partial(tmp_path, producer, registry) -> None:
    runner = RecordedRunner(fail=["versions"])
    summary = scan(tmp_path, producer, registry, ProfileName.SERVICE_VERSION, runner)
    profile = {"profile": "service-version"}
    assert summary.status is ScanStatus.PARTIAL
    assert value(registry, "spbe_collector_scans_total", **profile, outcome="partial") == 1
    failures = value(registry, "spbe_collector_scan_chunk_failures_total", **profile)
    assert failures == summary.chunks_failed == 2


class BrokenProducer:
    def send(self, *args: object) -> None:
        raise ConnectionError("broker unreachable")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_publish_failure_is_counted_and_the_scan_counts_as_failed(tmp_path, registry) -> None:
    with pytest.raises(ConnectionError):
        scan(tmp_path, BrokenProducer(), registry, ProfileName.DISCOVERY)
    assert value(registry, "spbe_collector_publish_failures_total") == 1
    labels = {"profile": "discovery", "outcome": "failed"}
    assert value(registry, "spbe_collector_scans_total", **labels) == 1
    assert value(registry, "spbe_collector_scan_duration_seconds_count", profile="discovery") == 1


@pytest.mark.parametrize(
    ("recording", "expected"),
    [
        ("ok", ProbeOutcome.OK),
        ("redirects", ProbeOutcome.OK),
        ("not_found", ProbeOutcome.HTTP_ERROR),
        ("tls_ok", ProbeOutcome.OK),
        ("tls_untrusted", ProbeOutcome.TLS_ERROR),
        ("timeout", ProbeOutcome.TIMEOUT),
        ("refused", ProbeOutcome.REFUSED),
    ],
)
def test_each_recorded_probe_has_its_outcome(recording: str, expected: ProbeOutcome) -> None:
    raw = RawProbe.from_json(json.loads((HTTP / f"{recording}.json").read_text()))
    assert outcome(raw) is expected


def test_seconds_left_of_a_certificate() -> None:
    raw = RawProbe.from_json(json.loads((HTTP / "tls_ok.json").read_text()))
    tls = transform(raw).tls
    assert tls is not None
    assert seconds_left(tls, tls.not_after - timedelta(days=3)) == 3 * DAY_S
    assert seconds_left(tls, tls.not_after + timedelta(days=1)) == -DAY_S  # expired
    assert seconds_left(None, datetime.now(UTC)) is None


def test_probe_service_counts_outcomes(tmp_path, producer, registry) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "mati.example.test":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(503 if request.url.path == "/rusak" else 200)

    settings = CollectorSettings(data_dir=tmp_path)
    service = ProbeService(
        settings, producer, httpx.MockTransport(answer), metrics=CollectorMetrics(registry)
    )
    urls = ["http://a.example.test/", "http://a.example.test/rusak", "http://mati.example.test/"]
    assert len(list(service.probe(urls))) == 3
    for kind, count in (("ok", 1), ("http_error", 1), ("refused", 1), ("timeout", 0)):
        assert value(registry, "spbe_collector_probes_total", outcome=kind) == count
    assert value(registry, "spbe_collector_certificate_expires_in_seconds_count") == 0


def test_metrics_port_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert CollectorSettings(_env_file=None, data_dir=tmp_path).collector_metrics_port == 8003
    assert CollectorSettings(_env_file=None, data_dir=tmp_path).collector_metrics_host == (
        "127.0.0.1"
    )
    monkeypatch.setenv("SPBE_COLLECTOR_METRICS_PORT", "0")
    monkeypatch.setenv("SPBE_COLLECTOR_METRICS_HOST", "0.0.0.0")
    off = CollectorSettings(_env_file=None, data_dir=tmp_path)
    assert (off.collector_metrics_port, off.collector_metrics_host) == (0, "0.0.0.0")
    assert serve_metrics(off, CollectorRegistry()) is None  # 0: nothing listens
