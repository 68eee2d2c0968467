"""Real loopback services for the collector's integration tests (real nmap, embedded bus)."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ServedInventory:
    url: str
    token: str  # of a collector service account
    data_dir: Path


@pytest.fixture
def served_inventory(tmp_path: Path) -> Iterator[ServedInventory]:
    """The real inventory API (sample catalogue, SQLite) served by uvicorn on 127.0.0.1."""
    from harness import grant

    from spbe_common.auth import Role
    from spbe_inventory import migrate
    from spbe_inventory.api.app import create_app
    from spbe_inventory.db import make_engine
    from spbe_inventory.sample.service import load_sample
    from spbe_inventory.settings import InventorySettings

    data = tmp_path / "inventory"
    settings = InventorySettings(_env_file=None, data_dir=data)
    engine = make_engine(settings.db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        load_sample(conn)
    token = grant(engine, Role.COLLECTOR, name="collector")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port,
                       log_level="error", lifespan="off")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield ServedInventory(f"http://127.0.0.1:{port}", token, data)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()
