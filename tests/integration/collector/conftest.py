"""Real loopback services for the collector's integration tests (real nmap, embedded bus)."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spbe_collector.settings import CollectorSettings
from spbe_common.bus import EmbeddedBus, make_bus
from spbe_common.events import Event, Topic, from_binary

pytestmark = pytest.mark.nmap


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # port scans reset connections mid-request
            super().handle()


def _serve_banner(listener: socket.socket, banner: bytes | None, stop: threading.Event) -> None:
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        if banner is None:
            held.append(conn)  # silent: accept and never answer
            continue
        with contextlib.suppress(OSError), conn:
            conn.sendall(banner)
    for conn in held:
        conn.close()


@contextlib.contextmanager
def tcp_service(host: str, banner: bytes | None) -> Iterator[int]:
    listener = socket.create_server((host, 0))
    stop = threading.Event()
    thread = threading.Thread(target=_serve_banner, args=(listener, banner, stop), daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.fixture
def http_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def ssh_port() -> Iterator[int]:
    with tcp_service("127.0.0.3", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n") as port:
        yield port


@pytest.fixture
def silent_port() -> Iterator[int]:
    with tcp_service("127.0.0.4", None) as port:
        yield port


@pytest.fixture(autouse=True)
def _needs_nmap() -> None:
    if shutil.which("nmap") is None:  # a failure, never a skip: CI must run these
        pytest.fail(
            "nmap is not installed: run deploy/local/services.sh start (or apt-get install -y nmap)"
        )


@pytest.fixture
def settings(tmp_path: Path) -> CollectorSettings:
    return CollectorSettings(data_dir=tmp_path, scan_chunk_size=1, scan_chunk_timeout_s=120)


def _read_events(settings: CollectorSettings) -> list[Event]:
    bus = make_bus(settings)
    assert isinstance(bus, EmbeddedBus)
    consumer = bus.consumer("collector-test", [Topic.EVENTS.value])
    try:
        records = consumer.poll(100_000, 0.1)
        return [from_binary(r.headers, r.value) for r in records]
    finally:
        consumer.close()


@pytest.fixture
def read_events() -> Callable[[CollectorSettings], list[Event]]:
    return _read_events
