"""The fast decoder agrees with the pydantic contract: same values, same refusals, same reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_common.events import InvalidEvent, from_binary
from spbe_common.events.fast import FAST_TYPES, Received, decode, fast_twin
from spbe_common.events.payloads import AssetObserved, ScanCompleted, ScanStarted


def test_the_hot_event_types_take_the_fast_path() -> None:
    assert {"asset.observed", "scan.started", "scan.completed"} <= FAST_TYPES
    assert "application.observed" not in FAST_TYPES  # URLs: pydantic decides
    for model in (AssetObserved, ScanStarted, ScanCompleted):
        assert fast_twin(model) is not None


def _headers(event_type: str, **attrs: str) -> list[tuple[str, bytes]]:
    base = {
        "ce_specversion": "1.0",
        "ce_id": "e1",
        "ce_type": event_type,
        "ce_source": "t",
        "ce_time": "2026-04-01T07:30:00.123456+07:00",
        "ce_scanid": "s1",
        "ce_scope": "dinkes-lan",
        "ce_schemaversion": "2",
    }
    return [(k, v.encode()) for k, v in {**base, **attrs}.items()]


def _outcome(decoder: Any, headers: list[tuple[str, bytes]], value: bytes) -> Any:
    try:
        event = decoder(headers, value)
    except InvalidEvent as exc:
        return ("refused", exc.reason)
    if not isinstance(event, Received):
        event = Received.of(event)
    data = event.data
    plain = data.model_dump(mode="json") if hasattr(data, "model_dump") else None
    if plain is None:
        plain = orjson.loads(msgspec.json.encode(data))
    return (event.id, event.type, event.source, event.time, event.scanid, event.scope, plain)


def _json(data: Any) -> bytes:
    """UTF-8 as producers write it; escapes (json) only for a lone surrogate, which UTF-8 lacks."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data).encode()


def _agree(event_type: str, value: bytes, **attrs: str) -> None:
    headers = _headers(event_type, **attrs)
    assert _outcome(decode, headers, value) == _outcome(from_binary, headers, value)


TEXT = st.one_of(
    st.text(max_size=8),
    st.text(min_size=60, max_size=70),
    st.text(min_size=195, max_size=260),
    st.sampled_from(["x\n", "\u00e9t\u00e9", "a\x00b", "\ud800", "  ", ""]),
)
ADDRESS = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses().map(str),
    st.sampled_from(["::0:1", "0::1", "127.0.0.01", "300.1.1.1", "127.0.0.1\n", "fe80::1%eth0"]),
    st.text(max_size=6),
)
MAC = st.one_of(
    st.sampled_from(["AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF"]),
    st.sampled_from(["AA:BB:CC:DD:EE:FF\n", "AA:BB:CC:DD:EE", "GG:BB:CC:DD:EE:FF"]),
    st.text(max_size=20),
)
ANY_JSON = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(), TEXT)
SERVICE = st.fixed_dictionaries(
    {"port": st.one_of(st.integers(0, 65535), st.sampled_from([-1, 65536, 80.0, True, "80"]))},
    optional={
        "protocol": st.sampled_from(["tcp", "udp", "sctp", "TCP", 1]),
        "name": st.one_of(TEXT, st.none()),
        "product": TEXT,
        "version": st.one_of(TEXT, st.integers()),
        "rogue": st.integers(),
    },
)
ASSET = st.fixed_dictionaries(
    {"addresses": st.lists(ADDRESS, max_size=3)},
    optional={
        "mac": st.one_of(MAC, st.none()),
        "hostname": st.one_of(TEXT, st.none(), st.integers()),
        "serial": TEXT,
        "vendor": TEXT,
        "os_guess": TEXT,
        "services": st.one_of(st.lists(SERVICE, max_size=3), ANY_JSON),
        "rogue": ANY_JSON,
    },
)
TIME = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda t: t.isoformat()),
    st.sampled_from(
        [
            "2026-01-05T01:01:00Z",
            "2026-01-05t01:01:00z",
            "2026-01-05 01:01:00+07:00",
            "2026-01-05T01:01:00.1234567Z",
            "2026-01-05T01:01:00",
            "2026-01-05T01:01Z",
            "2026-02-30T00:00:00Z",
            "2026-01-05T01:01:60Z",
        ]
    ),
)
SCOPE = st.fixed_dictionaries(
    {
        "key": st.sampled_from(["dinkes-lan", "Dinkes", "x" * 63, "a\n", ""]),
        "opd": st.sampled_from(["DINKES", "", "x" * 33]),
        "ranges": st.lists(st.sampled_from(["127.0.0.0/24", "", "x" * 101]), max_size=2),
    },
    optional={"exclude": st.lists(st.sampled_from(["127.0.0.1"]), max_size=1), "rogue": TEXT},
)
SCAN = st.fixed_dictionaries(
    {
        "scan_id": st.sampled_from(["s1", "", "x" * 65]),
        "scope": SCOPE,
        "profile": st.sampled_from(["discovery", "Discovery", "x\n"]),
        "started_at": TIME,
    },
    optional={
        "status": st.sampled_from(["complete", "partial", "failed", "done"]),
        "finished_at": TIME,
        "hosts_up": st.one_of(st.integers(-1, 5), st.floats(0, 2)),
        "chunks_total": st.integers(-1, 3),
        "error": st.one_of(st.none(), TEXT),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ASSET)
def test_asset_observed_decodes_as_pydantic_does(data: dict[str, Any]) -> None:
    _agree("asset.observed", _json(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCAN, st.sampled_from(["scan.started", "scan.completed"]))
def test_scans_decode_as_pydantic_does(data: dict[str, Any], event_type: str) -> None:
    if event_type == "scan.started":
        data = {k: v for k, v in data.items() if k in ("scan_id", "scope", "profile", "started_at")}
    _agree(event_type, _json(data))


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "ce_id": st.sampled_from(["", "e" * 128, "e" * 129, "a\x00"]),
            "ce_time": TIME,
            "ce_source": st.sampled_from(["", "s" * 257]),
            "ce_schemaversion": st.sampled_from(["1", "2", "3", "x", "-1", "02"]),
            "ce_specversion": st.sampled_from(["1.0", "0.3"]),
            "ce_subject": st.sampled_from(["ip:1", "s" * 2201]),
            "ce_type": st.sampled_from(["asset.observed", "asset.exploded", "score.computed"]),
        },
    )
)
def test_attributes_are_judged_as_pydantic_does(attrs: dict[str, str]) -> None:
    _agree("asset.observed", b'{"addresses":["127.0.0.1"]}', **attrs)


@pytest.mark.parametrize(
    "value",
    [
        b'{"addresses":["127.0.0.1"]}, "id": "forged"',
        b'{"addresses":["127.0.0.1"]} x',
        b'{"addresses":["127.0.0.\xff"]}',
        b'{"addresses":["127.0.0.1"],"hostname":"a\\u0000b"}',
        b'{"addresses":["127.0.0.1"],"hostname":"\\ud800"}',
        b'{"addresses":["127.0.0.1"],"mac":"AA:BB:CC:DD:EE:FF","mac":"aa:bb:cc:dd:ee:01"}',
        b"[]",
        b'{"addresses":["127.0.0.1"],"mac":"AA:BB:CC:DD:EE:FF\\n"}',
        b'{"addresses":["127.0.0.1"],"services":[{"port":22,"protocol":"tcp","port":23}]}',
        b'{"addresses":["::0:1"],"mac":"aa-bb-cc-dd-ee-ff"}',
    ],
)
def test_edge_values_decode_as_pydantic_does(value: bytes) -> None:
    _agree("asset.observed", value)


def test_a_canonical_observation_is_decoded_by_the_fast_path() -> None:
    value = b'{"addresses":["127.0.0.5"],"mac":"AA:BB:CC:DD:EE:FF","services":[{"port":22}]}'
    event = decode(_headers("asset.observed"), value)
    assert type(event.data) is fast_twin(AssetObserved)
    assert event.time == datetime(2026, 4, 1, 0, 30, 0, 123456, tzinfo=UTC)
    assert event.data.services[0].protocol.value == "tcp"
