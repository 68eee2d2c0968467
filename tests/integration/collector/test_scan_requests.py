"""The collector's scan-request loop on a real embedded log, with the real scan lock: a busy scope
ends the request as a failed scan of the request's id, and another OPD's scope is not scanned."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from spbe_collector.requests.service import BUSY, Outcome
from spbe_collector.scans.lock import scan_lock
from spbe_collector.service import build_request_consumer
from spbe_collector.settings import CollectorSettings
from spbe_common.bus import make_bus, publish
from spbe_common.events import EventType, Topic, new_event
from spbe_common.events.payloads import ScanCompleted, ScanRequested


def settings_with_scope(tmp_path: Path) -> CollectorSettings:
    scopes = tmp_path / "scopes.yaml"
    scopes.write_text(
        "scopes:\n  - {key: uji-lan, opd: DISKOMINFOSATIK, ranges: [127.0.0.58/32]}\n"
    )
    return CollectorSettings(data_dir=tmp_path, scopes_file=scopes)


def ask(settings: CollectorSettings, request_id: str, opd: str) -> list[Outcome]:
    data = ScanRequested(
        request_id=request_id, scope="uji-lan", opd=opd, requested_by="operator",
        requested_at=datetime.now(UTC),
    )  # fmt: skip
    producer = make_bus(settings).producer()
    try:
        publish(producer, [new_event(EventType.SCAN_REQUESTED, data, source="t", scope="uji-lan")])
    finally:
        producer.close()
    loop = build_request_consumer(settings, group_id="collector-test")
    consumer = make_bus(settings).consumer("collector-test", [Topic.SCAN_REQUESTS.value])
    try:
        return loop.run_once(consumer)
    finally:
        consumer.close()


def test_a_request_for_a_scope_being_scanned_ends_failed_and_scans_nothing(
    tmp_path, read_events
) -> None:
    settings = settings_with_scope(tmp_path)

    with scan_lock(settings.lock_dir, "uji-lan"):  # a scheduled scan of the scope is running
        assert ask(settings, "req-busy", "DISKOMINFOSATIK") == [Outcome.BUSY]

    [event] = read_events(settings)
    assert (event.type, event.scanid, event.id) == (
        EventType.SCAN_COMPLETED,
        "req-busy",
        "req-busy-busy",
    )
    assert isinstance(event.data, ScanCompleted) and event.data.error == BUSY


def test_a_request_naming_another_opd_is_not_scanned(tmp_path, read_events) -> None:
    settings = settings_with_scope(tmp_path)

    assert ask(settings, "req-other", "DINKES") == [Outcome.REFUSED]
    assert read_events(settings) == []
