"""Poison events on the embedded log: every kind is set aside with its reason while the same
consumer keeps running, and every valid event around them is ingested.

The cases are shared with the Kafka test (integration/bus/test_poison_kafka.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from harness import InventoryHarness, build_inventory, log_drained
from sqlalchemy import Engine, text

from spbe_common.events import Event, EventType, Headers, Topic, new_event, to_binary
from spbe_common.events.enums import ScanStatus
from spbe_common.events.limits import KEPT_BYTES, MAX_RECORD_BYTES, MAX_SERVICES
from spbe_common.events.payloads import (
    ApplicationDeclared,
    AssetDeclared,
    AssetObserved,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)
from spbe_inventory.ingest import handlers
from spbe_inventory.ingest.consumer import InventoryConsumer

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KNOWN_OPD = "DISKOMINFOSATIK"
GOOD = ScanScope(key="kominfo-lan", opd=KNOWN_OPD, ranges=["127.50.0.0/24"])
NOPE = ScanScope(key="nope-lan", opd="NOPE", ranges=["127.51.0.0/24"])
EXPLODING_HOST = "127.50.0.250"  # the wrapped handler raises on the observation of this host


@dataclass(frozen=True)
class Poison:
    name: str
    key: bytes
    value: bytes
    headers: Headers
    reason: str  # expected in the stored reason


def _with(headers: Headers, **changes: bytes) -> Headers:
    return [(k, changes.get(k.removeprefix("ce_"), v)) for k, v in headers]


def _observed(address: str, **extra: Any) -> Event:
    return new_event(
        EventType.ASSET_OBSERVED,
        AssetObserved(addresses=[address], **extra),
        source="test-collector",
        time=T0,
    )


def _raw(name: str, event: Event, value: bytes | None, reason: str, **changes: bytes) -> Poison:
    headers, encoded = to_binary(event)
    return Poison(
        name, f"poison-{name}".encode(), value or encoded, _with(headers, **changes), reason
    )


def poison_cases() -> list[Poison]:
    """One record per kind of poison, each with the reason it must be stored under."""
    template = _observed("127.50.0.9")
    base = orjson.loads(to_binary(template)[1])
    many = {**base, "services": [{"port": p} for p in range(MAX_SERVICES + 1)]}
    padded = b'{"addresses": ["127.50.0.9"]' + b" " * MAX_RECORD_BYTES + b"}"
    naive = new_event(
        EventType.SCAN_STARTED,
        ScanStarted(scan_id="naive", scope=GOOD, profile="discovery", started_at=T0),
        source="t",
    )
    naive_value = to_binary(naive)[1].replace(b':00Z"', b':00"')
    cases = [
        _raw("mac-number", _observed("127.50.0.9"), b'{"addresses":["127.50.0.9"],"mac":12}',
             "mac: Input should be a valid string"),
        _raw("naive-ce-time", _observed("127.50.0.9"), None, "timezone", time=b"2026-03-02T08:00:00"),
        _raw("naive-payload-time", naive, naive_value, "started_at: Input should have timezone"),
        _raw("smuggled", template,
             b'{"addresses":["127.50.0.9"]},"id":"smuggled","source":"x","data":{"addresses":[]}',
             "Invalid JSON"),
        _raw("oversize", template, padded, f"over {MAX_RECORD_BYTES}"),
        _raw("too-many-services", template, orjson.dumps(many), "services: List should have at most 1024"),
        _raw("nul", template, b'{"addresses":["127.50.0.9"],"hostname":"a\\u0000b"}', "NUL"),
        _raw("lone-surrogate", template, b'{"addresses":["127.50.0.9"],"hostname":"a\\ud800"}',
             "Invalid JSON"),
    ]  # fmt: skip
    return cases + _unknown_opd_cases() + [_exploding()]


def _unknown_opd_cases() -> list[Poison]:
    common = {"source": "test-collector", "scan_id": "nope-1", "scope": NOPE.key}
    started = new_event(
        EventType.SCAN_STARTED,
        ScanStarted(scan_id="nope-1", scope=NOPE, profile="discovery", started_at=T0),
        time=T0,
        **common,
    )
    seen = new_event(
        EventType.ASSET_OBSERVED, AssetObserved(addresses=["127.51.0.2"]), time=T0, **common
    )
    done = new_event(
        EventType.SCAN_COMPLETED,
        ScanCompleted(scan_id="nope-1", scope=NOPE, profile="discovery",
                      status=ScanStatus.COMPLETE, started_at=T0, finished_at=T0, hosts_up=1),
        time=T0, **common,
    )  # fmt: skip
    asset = new_event(
        EventType.ASSET_DECLARED, AssetDeclared(serial="SN-NOPE", opd="NOPE"), source="sheet"
    )
    app = new_event(
        EventType.APPLICATION_DECLARED, ApplicationDeclared(name="SIMNOPE", opd="NOPE"), source="s"
    )
    unknown = "unknown OPD code 'NOPE'"
    return [
        _raw("unknown-opd-scan-started", started, None, unknown),
        _raw("unknown-opd-asset-observed", seen, None, "unknown scan 'nope-1'"),
        _raw("unknown-opd-scan-completed", done, None, unknown),
        _raw("unknown-opd-asset-declared", asset, None, unknown),
        _raw("unknown-opd-application-declared", app, None, unknown),
    ]


def _exploding() -> Poison:
    return _raw(
        "unexpected-exception",
        _observed(EXPLODING_HOST),
        None,
        "could not apply the event: RuntimeError: injected failure",
    )


def explode_on_one_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap the asset.observed handler: it raises while applying one particular event."""
    inner = handlers.HANDLERS[EventType.ASSET_OBSERVED]

    def wrapped(ctx: handlers.BatchContext, events: list[Event]) -> None:
        if any(EXPLODING_HOST in e.data.addresses for e in events):
            raise RuntimeError("injected failure")
        inner(ctx, events)

    monkeypatch.setitem(handlers.HANDLERS, EventType.ASSET_OBSERVED, wrapped)


def valid_scan(index: int, hosts: int) -> list[Event]:
    """A complete scan of the known OPD: scan.started, `hosts` observations, scan.completed."""
    scan_id = f"good-{index}"
    common = {"source": "test-collector", "scan_id": scan_id, "scope": GOOD.key}
    start = T0 + timedelta(hours=index)
    events = [
        new_event(
            EventType.SCAN_STARTED,
            ScanStarted(scan_id=scan_id, scope=GOOD, profile="discovery", started_at=start),
            time=start,
            **common,
        )
    ]
    for h in range(hosts):
        data = AssetObserved(addresses=[f"127.50.0.{h + 1}"], hostname=f"h{h}")
        events.append(new_event(EventType.ASSET_OBSERVED, data, time=start, **common))
    done = ScanCompleted(scan_id=scan_id, scope=GOOD, profile="discovery",
                         status=ScanStatus.COMPLETE, started_at=start,
                         finished_at=start + timedelta(minutes=1), hosts_up=hosts)  # fmt: skip
    events.append(new_event(EventType.SCAN_COMPLETED, done, time=start, **common))
    return events


Send = Callable[[list[tuple[bytes | None, bytes, Headers]]], None]


def send_stream(send: Send, cases: list[Poison], hosts: int = 10) -> list[Event]:
    """Each poison record between two valid scans; returns the valid events sent."""
    valid: list[Event] = []
    for i, case in enumerate(cases):
        scan = valid_scan(i, hosts)
        valid += scan
        records = [(e.key(), *reversed(to_binary(e))) for e in scan]
        # the poison goes inside the scan, so it shares a batch with valid events
        records.insert(hosts // 2, (case.key, case.value, case.headers))
        send(records)
    return valid


def seed_opd(engine: Engine, code: str = KNOWN_OPD) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO opd (code, name, kind, aliases, is_sample, created_at)"
                " VALUES (:code, :name, 'agency', '[]', false, :at)"
            ),
            {"code": code, "name": f"Dinas {code}", "at": datetime.now(UTC).replace(tzinfo=None)},
        )


def stored_reasons(engine: Engine) -> dict[str, str]:
    """Rejected events by the name in their poison key (read back from the stored headers)."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT value, reason, event_id FROM rejected_event")).all()
    return {_name_of(row.value, row.event_id): row.reason for row in rows}


_NAMES: dict[tuple[bytes, str | None], str] = {}


def _name_of(value: bytes, event_id: str | None) -> str:
    return _NAMES.get((bytes(value), event_id), f"? {event_id}")


def remember(cases: list[Poison]) -> None:
    """Map each case's stored (value, ce_id) back to its name."""
    for case in cases:
        event_id = dict(case.headers).get("ce_id", b"").decode()
        _NAMES[(case.value[:KEPT_BYTES], event_id)] = case.name  # what is kept of it


def assert_every_case_set_aside(engine: Engine, cases: list[Poison]) -> None:
    remember(cases)
    reasons = stored_reasons(engine)
    assert set(reasons) == {c.name for c in cases}
    for case in cases:
        assert case.reason in reasons[case.name], (case.name, reasons[case.name])


def assert_every_valid_event_ingested(engine: Engine, valid: list[Event], hosts: int) -> None:
    with engine.connect() as conn:
        processed = {r[0] for r in conn.execute(text("SELECT event_id FROM processed_event"))}
        assets = conn.execute(text("SELECT count(*) FROM asset")).scalar_one()
        opds = {r[0] for r in conn.execute(text("SELECT DISTINCT opd_code FROM asset"))}
        scans = conn.execute(text("SELECT count(*) FROM scan WHERE status='complete'")).scalar_one()
    assert {e.id for e in valid} <= processed
    assert assets == hosts  # no asset from a poison record (127.51.*, 127.50.0.250, ...)
    assert opds == {KNOWN_OPD}
    assert scans == len(valid) // (hosts + 2)


@dataclass
class Running:
    """`InventoryConsumer.run(stop)` on a thread, as `spbe consume` runs it; its death is kept."""

    consumer: InventoryConsumer
    stop: threading.Event
    thread: threading.Thread
    error: list[BaseException]

    @classmethod
    def start(cls, consumer: InventoryConsumer) -> Running:
        stop, error = threading.Event(), []

        def run() -> None:
            try:
                consumer.run(stop)
            except BaseException as exc:  # reported by the test: the loop must never die
                error.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return cls(consumer, stop, thread, error)

    def wait_for(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert not self.error, f"the consumer loop died: {self.error[0]!r}"
            assert self.thread.is_alive(), "the consumer loop ended"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    def finish(self) -> None:
        assert not self.error, f"the consumer loop died: {self.error[0]!r}"
        assert self.thread.is_alive(), "the consumer loop ended on its own"
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def poisoned(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InventoryHarness]:
    explode_on_one_event(monkeypatch)
    inventory = build_inventory(tmp_path, batch_size=8)
    seed_opd(inventory.engine)
    yield inventory
    inventory.consumer.close()
    inventory.engine.dispose()


def test_every_poison_is_set_aside_and_every_valid_event_ingested(
    poisoned: InventoryHarness,
) -> None:
    cases = poison_cases()
    hosts = 6
    running = Running.start(poisoned.consumer)

    def send(records: list[tuple[bytes | None, bytes, Headers]]) -> None:
        producer = poisoned.bus.producer()
        for key, value, headers in records:
            producer.send(Topic.EVENTS.value, key, value, headers)
        producer.close()

    valid = send_stream(send, cases, hosts)
    group = poisoned.settings.consumer_group
    running.wait_for(lambda: log_drained(poisoned.bus, group), 30, "the log to be drained")
    running.finish()

    assert_every_valid_event_ingested(poisoned.engine, valid, hosts)
    assert_every_case_set_aside(poisoned.engine, cases)
    assert poisoned.bus.count(Topic.DEAD_LETTER.value) == len(cases)


def test_a_poison_record_crashes_nothing_on_the_next_start_either(
    poisoned: InventoryHarness,
) -> None:
    """The records that used to crash the consumer on every restart are behind it for good."""
    cases = [c for c in poison_cases() if c.name in ("mac-number", "naive-ce-time")]
    producer = poisoned.bus.producer()
    for case in cases:
        producer.send(Topic.EVENTS.value, case.key, case.value, case.headers)
    producer.close()
    poisoned.consumer.drain()
    poisoned.publish(valid_scan(0, 3))
    assert poisoned.consumer.drain() == 5

    again = build_inventory(poisoned.settings.data_dir, batch_size=8)  # a restart
    assert again.consumer.drain() == 0
    again.consumer.close()
    assert_every_case_set_aside(poisoned.engine, cases)
