"""The collector's inventory client over a real loopback socket: an inventory that starts
accepting connections a moment late (as a container just reported healthy may) is still asked;
one that never listens is a clear error."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from spbe_collector.inventory import InventoryUnavailable, make_inventory_client, opd_catalogue
from spbe_collector.settings import CollectorSettings

LATE_S = 0.3  # under the first retry's backoff (0.5 s), over the first attempt


class _Opd(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"data": [{"code": "DINKES", "name": "Dinas Kesehatan"}], "count": 1})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def late_inventory() -> Iterator[str]:
    """An HTTP server on a loopback port that only starts listening LATE_S from now."""
    port = _free_port()
    started: list[http.server.HTTPServer] = []

    def serve() -> None:
        time.sleep(LATE_S)
        server = http.server.HTTPServer(("127.0.0.1", port), _Opd)
        started.append(server)
        server.serve_forever(poll_interval=0.05)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    for server in started:
        server.shutdown()
        server.server_close()


def test_an_inventory_listening_a_moment_late_is_still_asked(late_inventory: str, tmp_path) -> None:
    settings = CollectorSettings(data_dir=tmp_path, inventory_url=late_inventory)
    with make_inventory_client(settings) as client:
        assert opd_catalogue(client) == {"DINKES": "Dinas Kesehatan"}


def test_an_inventory_that_never_listens_is_refused_after_the_retries(tmp_path) -> None:
    settings = CollectorSettings(
        data_dir=tmp_path, inventory_url=f"http://127.0.0.1:{_free_port()}"
    )
    begun = time.monotonic()
    with (
        make_inventory_client(settings) as client,
        pytest.raises(InventoryUnavailable, match="tidak dapat dihubungi"),
    ):
        opd_catalogue(client)
    assert time.monotonic() - begun >= 1.5  # tried again after 0.5 s and 1 s
