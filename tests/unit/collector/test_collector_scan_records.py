"""asset.observed records encoded per scan without models: byte for byte the envelope's encoding."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from spbe_collector.scans import records as records_module
from spbe_collector.scans.records import AssetRecords
from spbe_collector.scans.transform import ObservedHost, parse_xml
from spbe_common.events import Event, EventType, Headers, from_binary, new_event, to_binary
from spbe_common.events.payloads import AssetObserved

NMAP = Path(__file__).resolve().parents[2] / "data" / "nmap"
WHEN = datetime(2026, 11, 30, 8, 15, 0, 123456, tzinfo=UTC)
MAC_HOST = b"""<nmaprun><host><status state="up"/><address addr="10.0.0.7" addrtype="ipv4"/>
<address addr="aa:bb:cc:00:11:22" addrtype="mac" vendor="Cisco"/>
<hostnames><hostname name="sw-ciruas" type="PTR"/></hostnames></host>
<host><status state="up"/><address addr="fe80::0:1" addrtype="ipv6"/></host>
<host><status state="up"/><address addr="::ffff:10.0.0.9" addrtype="ipv6"/></host></nmaprun>"""


def _hosts() -> list[ObservedHost]:
    files = ("discovery.xml", "ports.xml", "versions.xml", "os.xml")
    return [h for name in files for h in parse_xml([(NMAP / name).read_bytes()])] + list(
        parse_xml([MAC_HOST])
    )


def _reference(host: ObservedHost, number: int) -> tuple[Headers, bytes]:
    event = new_event(
        EventType.ASSET_OBSERVED,
        AssetObserved.model_validate(host.data()),
        source="spbe-collector",
        scan_id="scan1",
        scope="uji-lan",
        time=WHEN,
        event_id=f"scan1-{number}",
    )
    return to_binary(event)


def test_records_equal_the_envelope_encoding_of_validated_payloads() -> None:
    hosts = _hosts()
    encoder = AssetRecords("scan1", "uji-lan", "spbe-collector")
    encoded = encoder.batch(hosts, 5, WHEN)
    assert encoder.fast
    assert encoded == [_reference(host, 5 + i) for i, host in enumerate(hosts)]
    assert encoder.topic == "spbe.events" and encoder.key == b"scope:uji-lan"


def test_records_decode_to_the_hosts_with_their_ids_and_subjects() -> None:
    hosts = _hosts()
    encoded = AssetRecords("scan1", "uji-lan", "spbe-collector").batch(hosts, 1, WHEN)
    events: list[Event] = [from_binary(headers, value) for headers, value in encoded]
    assert [e.id for e in events] == [f"scan1-{i}" for i in range(1, len(hosts) + 1)]
    assert [e.data.model_dump(mode="json", exclude_none=True) for e in events] == [
        h.data() for h in hosts
    ]
    assert events[-3].subject == "mac:AA:BB:CC:00:11:22"
    assert [e.subject for e in events[-2:]] == ["ip:fe80::1", "ip:::ffff:10.0.0.9"]
    assert events[0].subject == f"ip:{hosts[0].addresses[0]}"
    assert {(e.scanid, e.scope, e.time) for e in events} == {("scan1", "uji-lan", WHEN)}


def test_an_envelope_that_changed_per_event_is_followed_by_falling_back(monkeypatch) -> None:
    def stamped(event: Event) -> tuple[Headers, bytes]:  # a header the fast path does not set
        headers, value = to_binary(event)
        return [*headers, ("ce_traceparent", event.id.encode())], value

    monkeypatch.setattr(records_module, "to_binary", stamped)
    hosts = _hosts()
    encoder = AssetRecords("scan1", "uji-lan", "spbe-collector")
    encoded = encoder.batch(hosts, 1, WHEN)
    assert not encoder.fast
    expected = [_reference(host, 1 + i) for i, host in enumerate(hosts)]
    assert encoded == [
        ([*h, ("ce_traceparent", f"scan1-{i}".encode())], v) for i, (h, v) in enumerate(expected, 1)
    ]


@pytest.mark.parametrize("first", [1, 1000])
def test_numbering_continues_from_first(first: int) -> None:
    hosts = _hosts()[:3]
    encoded = AssetRecords("s", "k", "spbe-collector").batch(hosts, first, WHEN)
    ids = [dict(headers)["ce_id"] for headers, _ in encoded]
    assert ids == [f"s-{n}".encode() for n in range(first, first + 3)]
