"""Real nmap against real services on loopback -> events -> consumer -> catalogue API."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import pytest
from synthetic import register_opd

from spbe_collector.scans.enums import ProfileName
from spbe_collector.scans.service import ScanService
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_collector.settings import CollectorSettings

pytestmark = pytest.mark.nmap


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<title>Portal OPD</title>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_on_127_0_0_2() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def ssh_banner_on_127_0_0_3() -> Iterator[int]:
    listener = socket.create_server(("127.0.0.3", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def test_a_scan_reaches_the_catalogue(inventory, http_on_127_0_0_2, ssh_banner_on_127_0_0_3):
    ports = (
        (http_on_127_0_0_2, http_on_127_0_0_2),
        (ssh_banner_on_127_0_0_3, ssh_banner_on_127_0_0_3),
    )
    scope = ValidatedScope(
        "uji-e2e",
        "DISKOMINFOSATIK",
        (ip_network("127.0.0.2/31"),),
        (),
        ProfileName.SERVICE_VERSION,
        None,
        ports,
    )
    register_opd(inventory.engine, ["DISKOMINFOSATIK"])  # scans of an unknown OPD are set aside
    settings = CollectorSettings(data_dir=inventory.settings.data_dir, scan_chunk_size=1)
    producer = inventory.bus.producer()
    summary = ScanService(settings, producer).scan(scope)
    producer.close()
    assert summary.status.value == "complete"

    inventory.drain()

    assets = {a["address"]: a for a in inventory.get("/api/v1/assets", scope="uji-e2e")["data"]}
    assert set(assets) == {"127.0.0.2", "127.0.0.3"}
    assert {a["opd_code"] for a in assets.values()} == {"DISKOMINFOSATIK"}
    web = inventory.get(f"/api/v1/assets/{assets['127.0.0.2']['id']}")["services"]
    ssh = inventory.get(f"/api/v1/assets/{assets['127.0.0.3']['id']}")["services"]
    assert [(s["port"], s["name"]) for s in web] == [(http_on_127_0_0_2, "http")]
    assert "SimpleHTTPServer" in (web[0]["product"] or "") or "BaseHTTPServer" in (
        web[0]["product"] or ""
    )
    assert [(s["port"], s["name"], s["product"]) for s in ssh] == [
        (ssh_banner_on_127_0_0_3, "ssh", "OpenSSH")
    ]
    scans = inventory.get("/api/v1/scans", scope="uji-e2e")["data"]
    assert scans[0]["status"] == "complete" and scans[0]["hosts_up"] == 2
