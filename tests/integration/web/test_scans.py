"""Pemindaian pages: the scopes of the user's OPD, starting a scan and following it.

The whole path runs for real on the embedded bus: the page publishes scan.requested, the
collector's request loop runs nmap against a listening socket on 127.0.0.x, the inventory's
consumer folds the scan in, and the scan page shows Selesai with the asset it saw.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from spbe_collector.requests.consumer import ScanRequestConsumer
from spbe_collector.requests.service import Outcome
from spbe_collector.scans.service import ScanService
from spbe_collector.service import build_request_consumer, scope_repository
from spbe_collector.settings import CollectorSettings
from spbe_common.auth import Principal, Role
from spbe_common.bus import EmbeddedBus, make_bus
from spbe_common.db import begin_write
from spbe_common.events import EventType, Topic, from_binary
from spbe_common.events.payloads import ScanRequested
from spbe_inventory.ingest import repository as scans_repo
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.settings import InventorySettings

OPD = "DISKOMINFOSATIK"
OTHER = "DINKES"
T = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
ADMIN = Principal(name="test", role=Role.ADMIN)


def seen_scan(engine: Engine, scan_id: str, scope: str, opd: str) -> None:
    """A finished scan of `scope`, as ingestion stores it: how the inventory learns a scope."""
    row = {
        "scan_id": scan_id, "scope": scope, "opd_code": opd, "ranges": ["127.0.0.0/30"],
        "profile": "discovery", "status": "complete", "started_at": T, "finished_at": T,
        "hosts_up": 1, "marked_missing": 0,
    }  # fmt: skip
    with begin_write(engine) as conn:
        scans_repo.finish_scan(conn, row)


def requests_on_bus(settings: InventorySettings) -> list[ScanRequested]:
    bus = make_bus(settings)
    assert isinstance(bus, EmbeddedBus)
    consumer = bus.consumer(f"test-{id(settings)}", [Topic.SCAN_REQUESTS.value])
    try:
        events = [from_binary(r.headers, r.value) for r in consumer.poll(100, 0.1)]
    finally:
        consumer.close()
    assert all(e.type is EventType.SCAN_REQUESTED for e in events)
    return [e.data for e in events if isinstance(e.data, ScanRequested)]


@pytest.fixture
def scopes_seen(engine: Engine) -> None:
    seen_scan(engine, "scan-kominfo", "kominfo-lan", OPD)
    seen_scan(engine, "scan-dinkes", "dinkes-lan", OTHER)


def test_an_operator_sees_only_the_scopes_of_its_opd(browser, scopes_seen) -> None:
    page = browser(Role.OPD_OPERATOR, [OPD]).get("/pemindaian")

    assert page.status_code == 200
    assert 'id="tabel-cakupan"' in page.text and "kominfo-lan" in page.text
    assert "dinkes-lan" not in page.text
    assert "Selesai" in page.text and "Mulai pemindaian" in page.text


def _notice(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</p>', html, re.S)
    assert found, element_id
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(
    ("role", "opd", "words"),
    [
        (Role.ADMIN, [], "Cakupan jaringan semua OPD"),
        (Role.VIEWER, [], "Cakupan jaringan semua OPD"),  # a viewer without a list sees all
        (Role.OPD_OPERATOR, [OPD], "Cakupan jaringan OPD Anda"),
        (Role.VIEWER, [OPD], "Cakupan jaringan OPD Anda"),
    ],
)
def test_the_page_speaks_of_the_opd_the_account_sees(
    browser, role: Role, opd: list[str], words: str
) -> None:
    html = browser(role, opd).get("/pemindaian").text
    assert _notice(html, "keterangan-cakupan").startswith(words)
    empty = _notice(html, "tanpa-cakupan")  # no scan yet
    if opd:
        assert empty.startswith("Belum ada cakupan untuk OPD Anda")
    else:
        assert empty.startswith("Belum ada cakupan jaringan yang dipindai")
        assert "OPD Anda" not in html


def test_a_viewer_has_no_start_button_and_may_not_start(browser, scopes_seen, settings) -> None:
    viewer = browser(Role.VIEWER)

    assert "Mulai pemindaian" not in viewer.get("/pemindaian").text
    refused = viewer.post(
        "/pemindaian/mulai", data={"scope": "kominfo-lan", "csrf_token": viewer.csrf}
    )
    assert refused.status_code == 403
    assert requests_on_bus(settings) == []


@pytest.mark.parametrize("scope", ["dinkes-lan", "nowhere-lan", "-sV --script=all"])
def test_an_operator_cannot_start_a_scan_of_another_opds_scope(
    browser, scopes_seen, settings, scope: str
) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])

    answer = operator.post("/pemindaian/mulai", data={"scope": scope, "csrf_token": operator.csrf})

    assert answer.status_code == 404
    assert requests_on_bus(settings) == []
    assert operator.get("/pemindaian/scan-dinkes").status_code == 404


def test_starting_a_scan_publishes_one_request_and_shows_it_waiting(
    browser, scopes_seen, settings
) -> None:
    operator = browser(Role.OPD_OPERATOR, [OPD])

    started = operator.post(
        "/pemindaian/mulai", data={"scope": "kominfo-lan", "csrf_token": operator.csrf}
    )
    again = operator.post(
        "/pemindaian/mulai", data={"scope": "kominfo-lan", "csrf_token": operator.csrf}
    )

    assert started.status_code == 303 and again.headers["location"] == started.headers["location"]
    [request] = requests_on_bus(settings)
    assert (request.scope, request.opd) == ("kominfo-lan", OPD)
    assert started.headers["location"] == f"/pemindaian/{request.request_id}"
    page = operator.get(started.headers["location"])
    assert "Menunggu kolektor" in page.text and 'hx-trigger="every 2s"' in page.text
    fragment = operator.get(started.headers["location"], headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="status-pemindaian"')
    assert browser(Role.OPD_OPERATOR, [OTHER]).get(started.headers["location"]).status_code == 404


def test_a_request_the_bus_refuses_is_shown_failed(browser, scopes_seen, settings) -> None:
    settings.log_path.parent.mkdir(parents=True, exist_ok=True)
    settings.log_path.mkdir()  # a directory where the log file should be: SQLite cannot open it
    operator = browser(Role.OPD_OPERATOR, [OPD])

    started = operator.post(
        "/pemindaian/mulai", data={"scope": "kominfo-lan", "csrf_token": operator.csrf}
    )

    page = operator.get(started.headers["location"])
    assert "Gagal" in page.text and "tidak sampai ke kolektor" in page.text
    assert "hx-trigger" not in page.text


# --- the whole path, with real nmap ---------------------------------------------------------


@contextlib.contextmanager
def listening(host: str) -> Iterator[int]:
    listener = socket.create_server((host, 0))
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                conn, _ = listener.accept()
                conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def collector(settings: InventorySettings, tmp_path: Path, port: int) -> CollectorSettings:
    scopes = tmp_path / "scopes.yaml"
    scopes.write_text(
        "scopes:\n"
        f"  - {{key: uji-web, opd: {OPD}, ranges: [127.0.0.57/32], profile: common-ports,"
        f" ports: [{port}]}}\n"
    )
    return CollectorSettings(
        data_dir=tmp_path, event_log_path=settings.log_path, scopes_file=scopes,
        scan_chunk_timeout_s=120,
    )  # fmt: skip


def fold_in(engine: Engine, settings: InventorySettings) -> None:
    consumer = InventoryConsumer(
        engine, make_bus(settings), group_id="inventory", batch_size=100, poll_timeout_s=0.1
    )
    try:
        consumer.drain()
    finally:
        consumer.close()


@pytest.mark.nmap
def test_a_requested_scan_of_a_loopback_scope_runs_and_shows_its_result(
    browser, engine, settings, tmp_path
) -> None:
    if shutil.which("nmap") is None:
        pytest.fail("nmap is not installed: run deploy/local/services.sh start")
    operator = browser(Role.OPD_OPERATOR, [OPD])
    with listening("127.0.0.57") as port:
        scanner = collector(settings, tmp_path, port)
        first = make_bus(scanner).producer()
        try:  # the scheduled scan that makes the scope known to the inventory
            ScanService(scanner, first).scan(scope_repository(scanner).get("uji-web"))
        finally:
            first.close()
        fold_in(engine, settings)

        started = operator.post(
            "/pemindaian/mulai", data={"scope": "uji-web", "csrf_token": operator.csrf}
        )
        assert started.status_code == 303
        loop: ScanRequestConsumer = build_request_consumer(scanner, group_id="test-collector")
        requests = make_bus(scanner).consumer("test-collector", [Topic.SCAN_REQUESTS.value])
        try:
            assert loop.run_once(requests) == [Outcome.SCANNED]
        finally:
            requests.close()
    fold_in(engine, settings)

    scan_id = started.headers["location"].rsplit("/", 1)[1]
    page = operator.get(started.headers["location"])
    assert 'id="status">Selesai<' in page.text
    assert "hx-trigger" not in page.text  # finished: the page stops polling
    assert 'id="tabel-aset-terlihat"' in page.text and "<td>127.0.0.57</td>" in page.text
    assert 'href="/katalog/aset/' in page.text
    with engine.connect() as conn:
        scan = scans_repo.scan_result(conn, ADMIN, scan_id)
    assert scan is not None and (scan["status"], scan["hosts_up"]) == ("complete", 1)
    listed = operator.get("/pemindaian")
    assert f'href="/pemindaian/{scan_id}"' in listed.text
