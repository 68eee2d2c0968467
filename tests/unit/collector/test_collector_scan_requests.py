"""Scan requests: only a configured scope of the requested OPD is scanned, with the request id;
a busy scope ends the request as a failed scan; anything else is dropped, and the loop goes on."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest

from spbe_collector.requests.consumer import ScanRequestConsumer, decode
from spbe_collector.requests.service import (
    BUSY,
    Outcome,
    RequestRefused,
    ScanRequestHandler,
    check,
)
from spbe_collector.scans.enums import ProfileName
from spbe_collector.scans.lock import ScanAlreadyRunning
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_common.bus import Record
from spbe_common.events import Event, EventType, new_event, to_binary
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import ScanCompleted, ScanRequested

NOW = datetime(2026, 4, 1, 7, 30, tzinfo=UTC)
SCOPES = [
    ValidatedScope(
        "bappeda-lan", "BAPPEDA", (ip_network("127.0.9.0/30"),), (), ProfileName.DISCOVERY,
        None, (),
    ),
    ValidatedScope(
        "dinkes-lan", "DINKES", (ip_network("127.0.8.0/30"),), (), ProfileName.DISCOVERY,
        None, (),
    ),
]  # fmt: skip


def request(scope: str = "bappeda-lan", opd: str = "BAPPEDA", age_s: float = 1) -> ScanRequested:
    return ScanRequested(
        request_id="req-1",
        scope=scope,
        opd=opd,
        requested_by="operator",
        requested_at=NOW - timedelta(seconds=age_s),
    )


def test_check_returns_the_configured_scope_of_the_requested_opd() -> None:
    assert check(request(opd="bappeda"), SCOPES, NOW) is SCOPES[0]


@pytest.mark.parametrize(
    ("asked", "reason"),
    [
        (request(scope="dinkes-lan"), "does not belong to OPD BAPPEDA"),
        (request(scope="gone-lan"), "no scope named 'gone-lan'"),
        (request(age_s=16 * 60), "too old"),
        (request(opd="not an opd!"), "OPD code"),
    ],
)
def test_check_refuses_what_it_may_not_scan(asked: ScanRequested, reason: str) -> None:
    with pytest.raises(RequestRefused, match=reason):
        check(asked, SCOPES, NOW)


class Recorder:
    def __init__(self, busy: bool = False) -> None:
        self.scans: list[tuple[str, str]] = []
        self.published: list[Event] = []
        self.busy = busy

    def scan(self, scope: ValidatedScope, scan_id: str) -> None:
        if self.busy:
            raise ScanAlreadyRunning("held")
        self.scans.append((scope.key, scan_id))

    def publish(self, events: Sequence[Event]) -> None:
        self.published += events

    def handler(self) -> ScanRequestHandler:
        return ScanRequestHandler(lambda: SCOPES, self.scan, self.publish, lambda: NOW)


def test_a_request_is_scanned_with_its_id_as_scan_id() -> None:
    seen = Recorder()

    assert seen.handler().handle(request()) is Outcome.SCANNED
    assert seen.scans == [("bappeda-lan", "req-1")] and seen.published == []


def test_another_opds_scope_is_neither_scanned_nor_answered() -> None:
    seen = Recorder()

    assert seen.handler().handle(request(scope="dinkes-lan")) is Outcome.REFUSED
    assert seen.scans == [] and seen.published == []


def test_a_busy_scope_ends_the_request_as_a_failed_scan_of_its_id() -> None:
    seen = Recorder(busy=True)

    assert seen.handler().handle(request()) is Outcome.BUSY
    [event] = seen.published
    assert (event.type, event.scanid, event.scope) == (
        EventType.SCAN_COMPLETED,
        "req-1",
        "bappeda-lan",
    )
    assert isinstance(event.data, ScanCompleted)
    assert (event.data.status, event.data.error) == (ScanStatus.FAILED, BUSY)
    assert event.data.scope.ranges == ["127.0.9.0/30"]


def record(offset: int, value: bytes, headers: list[tuple[str, bytes]]) -> Record:
    return Record("spbe.scan-requests", 0, offset, None, value, headers)


def request_record(offset: int, asked: ScanRequested) -> Record:
    event = new_event(EventType.SCAN_REQUESTED, asked, source="t", scope=asked.scope)
    return record(offset, *reversed(to_binary(event)))


class ListConsumer:
    """Records in memory; remembers what was committed and when (before or after handling)."""

    def __init__(self, records: list[Record], log: list[str]) -> None:
        self.records, self.log = records, log

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        taken, self.records = self.records[:max_records], self.records[max_records:]
        return taken

    def commit(self, records: Sequence[Record]) -> None:
        self.log += [f"commit {r.offset}" for r in records]

    def seek_to_committed(self) -> None: ...

    def close(self) -> None: ...


def test_each_request_is_committed_before_its_scan_and_garbage_is_skipped() -> None:
    log: list[str] = []

    def handle(asked: ScanRequested) -> Outcome:
        log.append(f"scan {asked.scope}")
        return Outcome.SCANNED

    consumer = ListConsumer(
        [record(0, b"{}", [("ce_type", b"nonsense")]), request_record(1, request())], log
    )
    loop = ScanRequestConsumer(None, handle)  # type: ignore[arg-type]

    assert loop.run_once(consumer) == []
    assert loop.run_once(consumer) == [Outcome.SCANNED]
    assert log == ["commit 0", "commit 1", "scan bappeda-lan"]


def test_a_failing_handler_does_not_stop_the_loop() -> None:
    def handle(asked: ScanRequested) -> Outcome:
        raise RuntimeError("scopes file unreadable")

    consumer = ListConsumer([request_record(0, request())], [])
    assert ScanRequestConsumer(None, handle).run_once(consumer) == []  # type: ignore[arg-type]


def test_decode_drops_other_event_types() -> None:
    event = new_event(EventType.SCAN_COMPLETED, ScanCompleted(
        scan_id="s", scope=SCOPES[0].payload(), profile="discovery", status="complete",
        started_at=NOW, finished_at=NOW, hosts_up=0,
    ), source="t")  # fmt: skip
    assert decode(record(0, *reversed(to_binary(event)))) is None


def test_the_loop_ends_when_told_to_stop() -> None:
    stop = threading.Event()
    stop.set()
    ScanRequestConsumer(None, lambda _r: Outcome.SCANNED).run(stop)  # type: ignore[arg-type]
