"""The collector's /metrics server after a real nmap scan of a loopback HTTP service and real
probes of loopback HTTP and HTTPS servers (events to an embedded log in tmp_path)."""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
from integration.promtool import check_metrics
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from spbe_collector.metrics import DAY_S, CollectorMetrics
from spbe_collector.probes.service import ProbeService
from spbe_collector.scans.enums import ProfileName
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_collector.service import MetricsServer, build_scheduler, serve_metrics
from spbe_collector.settings import CollectorSettings
from spbe_common.bus import make_bus

pytestmark = pytest.mark.nmap
TLS_HOST = "127.0.0.6"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(settings: CollectorSettings) -> Iterator[tuple[CollectorSettings, CollectorMetrics]]:
    """The collector's settings with /metrics on a free loopback port, and what it serves."""
    settings = settings.model_copy(update={"collector_metrics_port": free_port()})
    registry = CollectorRegistry()
    server = serve_metrics(settings, registry)
    assert isinstance(server, MetricsServer)
    assert server.url == f"http://127.0.0.1:{settings.collector_metrics_port}/metrics"
    yield settings, CollectorMetrics(registry)
    server.close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for TLS_HOST that expires in 20 days: (certificate, key)."""
    cert, key = tmp_path / "srv.pem", tmp_path / "srv.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "20", "-subj", f"/CN={TLS_HOST}",
         "-addext", f"subjectAltName=IP:{TLS_HOST}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_port(certificate: tuple[Path, Path]) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer((TLS_HOST, 0), Quiet)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def scrape(settings: CollectorSettings) -> tuple[str, dict[tuple[str, frozenset], float]]:
    url = f"http://127.0.0.1:{settings.collector_metrics_port}/metrics"
    text = httpx.get(url, timeout=5).text
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


def test_a_scan_of_the_schedule_is_counted_on_the_metrics_server(served, http_port) -> None:
    settings, metrics = served
    scope = ValidatedScope(
        "uji-loopback", "DISKOMINFOSATIK", (ip_network("127.0.0.2/32"),), (),
        ProfileName.COMMON_PORTS, None, ((http_port, http_port),),
    )  # fmt: skip
    build_scheduler(settings, metrics).run_now(scope)

    text, samples = scrape(settings)
    profile = {("profile", "common-ports")}
    assert (
        samples[("spbe_collector_scans_total", frozenset(profile | {("outcome", "complete")}))] == 1
    )
    assert (
        samples[("spbe_collector_scans_total", frozenset(profile | {("outcome", "failed")}))] == 0
    )
    assert samples[("spbe_collector_hosts_found_total", frozenset(profile))] == 1
    assert samples[("spbe_collector_open_ports_found_total", frozenset(profile))] == 1
    assert samples[("spbe_collector_scan_chunk_failures_total", frozenset(profile))] == 0
    assert samples[("spbe_collector_scan_duration_seconds_count", frozenset(profile))] == 1
    assert samples[("spbe_collector_publish_failures_total", frozenset())] == 0
    assert "127.0.0.2" not in text and "uji-loopback" not in text  # no address, no scope key
    check_metrics(text)


def test_real_probes_are_counted_by_outcome_with_the_certificate_days_left(
    served, http_port, https_port, certificate
) -> None:
    settings, metrics = served
    settings = settings.model_copy(update={"probe_ca_bundle": certificate[0], "probe_timeout_s": 5})
    urls = [
        f"http://127.0.0.2:{http_port}/",
        f"http://127.0.0.2:{http_port}/tidak-ada",
        f"https://{TLS_HOST}:{https_port}/",
        f"http://127.0.0.5:{free_port('127.0.0.5')}/",  # nobody listens
    ]
    producer = make_bus(settings).producer()
    try:
        seen = list(ProbeService(settings, producer, metrics=metrics).probe(urls))
    finally:
        producer.close()
    assert len(seen) == 4

    text, samples = scrape(settings)
    outcomes = {
        dict(labels)["outcome"]: v
        for (name, labels), v in samples.items()
        if name == "spbe_collector_probes_total"
    }
    assert outcomes["ok"] == 2 and outcomes["http_error"] == 1 and outcomes["refused"] == 1
    assert outcomes["tls_error"] == 0 and outcomes["timeout"] == 0
    buckets = {
        float(dict(labels)["le"]): v
        for (name, labels), v in samples.items()
        if name == "spbe_collector_certificate_expires_in_seconds_bucket"
    }
    assert (buckets[14 * DAY_S], buckets[30 * DAY_S]) == (0, 1)  # expires in 20 days
    assert samples[("spbe_collector_certificate_expires_in_seconds_count", frozenset())] == 1
    assert TLS_HOST not in text and "tidak-ada" not in text
    check_metrics(text)


def test_port_zero_serves_nothing(settings: CollectorSettings) -> None:
    off = settings.model_copy(update={"collector_metrics_port": 0})
    assert serve_metrics(off, CollectorRegistry()) is None
