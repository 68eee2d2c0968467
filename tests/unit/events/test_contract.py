"""The event contract: envelope round trip, refusals with reasons, and the published JSON Schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from spbe_common.events import (
    SCHEMA_VERSION,
    EventType,
    InvalidEvent,
    from_binary,
    new_event,
    to_binary,
)
from spbe_common.events.payloads import (
    PAYLOAD_OF_TYPE,
    ApplicationDeclared,
    ApplicationObserved,
    AssetDeclared,
    AssetObserved,
    ObservedService,
    ScanCompleted,
    ScanRequested,
    ScanScope,
    ScanStarted,
    ScoreComputed,
    TlsCertificate,
)
from spbe_common.events.schemas import render_schemas

SCHEMAS = Path(__file__).parents[3] / "schemas"
T = datetime(2026, 4, 1, 7, 30, tzinfo=UTC)
SCOPE = ScanScope(
    key="dinkes-lan", opd="DINKES", ranges=["127.30.0.0/24"], exclude=["127.30.0.1/32"]
)

EXAMPLES = {
    EventType.SCAN_STARTED: ScanStarted(
        scan_id="s1", scope=SCOPE, profile="discovery", started_at=T
    ),
    EventType.SCAN_COMPLETED: ScanCompleted(
        scan_id="s1",
        scope=SCOPE,
        profile="discovery",
        status="partial",
        started_at=T,
        finished_at=T,
        hosts_up=3,
        chunks_total=4,
        chunks_failed=1,
    ),
    EventType.SCAN_REQUESTED: ScanRequested(
        request_id="s1", scope="dinkes-lan", opd="DINKES", requested_by="operator", requested_at=T
    ),
    EventType.ASSET_OBSERVED: AssetObserved(
        addresses=["127.30.0.5", "::1"],
        mac="02-00-00-aa-bb-cc",
        hostname="srv",
        os_guess="Linux 5.x",
        services=[ObservedService(port=443, name="https", product="nginx", version="1.24")],
    ),
    EventType.ASSET_DECLARED: AssetDeclared(
        serial="SN-1", opd="DINKES", kind="server", location="Ruang Server"
    ),
    EventType.APPLICATION_OBSERVED: ApplicationObserved(
        url="https://127.0.0.2/",
        reachable=True,
        status_code=200,
        response_ms=12.5,
        tls=TlsCertificate(subject="CN=x", issuer="CN=ca", not_after=T),
        title="Portal",
    ),
    EventType.APPLICATION_DECLARED: ApplicationDeclared(
        name="SIP Kerja", opd="BKPSDM", urls=["https://127.0.0.3/"], kind="special"
    ),
    EventType.SCORE_COMPUTED: ScoreComputed(
        run_id="r1", framework="spbe-2020", index=3.2, predicate="Baik"
    ),
}


def test_every_event_type_has_an_example():
    assert set(EXAMPLES) == set(EventType) == {EventType(t) for t in PAYLOAD_OF_TYPE}


@pytest.mark.parametrize("event_type", list(EventType))
def test_binary_round_trip_keeps_every_attribute(event_type):
    event = new_event(
        event_type, EXAMPLES[event_type], source="test", scan_id="s1", scope="dinkes-lan", time=T
    )
    headers, value = to_binary(event)
    names = {name for name, _ in headers}
    assert {
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "ce_specversion",
        "ce_schemaversion",
        "content-type",
    } <= names
    decoded = from_binary(headers, value)
    assert decoded.model_dump() == event.model_dump()


@pytest.mark.parametrize("event_type", list(EventType))
def test_produced_events_validate_against_the_published_schema(event_type):
    event = new_event(
        event_type, EXAMPLES[event_type], source="test", scan_id="s1", scope="dinkes-lan", time=T
    )
    schema = json.loads((SCHEMAS / f"{event_type.value}.v{SCHEMA_VERSION}.json").read_text())
    structured = {
        **event.model_dump(mode="json", exclude={"data"}, exclude_none=True),
        "data": json.loads(to_binary(event)[1]),
    }
    jsonschema.validate(structured, schema, format_checker=jsonschema.FormatChecker())
    broken = {**structured, "data": {**structured["data"], "unexpected": 1}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_published_schemas_are_up_to_date():
    rendered = render_schemas()
    on_disk = {p.name: p.read_text() for p in SCHEMAS.glob("*.json")}
    assert on_disk == rendered, "run `spbe events schemas` and commit the result"


def test_addresses_and_macs_are_canonical():
    data = AssetObserved(addresses=["::0:1", "127.0.0.2"], mac="aa-bb-cc-dd-ee-ff")
    assert data.addresses == ["::1", "127.0.0.2"] and data.mac == "AA:BB:CC:DD:EE:FF"


def _headers(event_type: str = "asset.observed", **extra: str) -> list[tuple[str, bytes]]:
    base = {
        "ce_id": "e1",
        "ce_type": event_type,
        "ce_source": "t",
        "ce_time": "2026-04-01T07:30:00Z",
        "ce_specversion": "1.0",
    }
    return [(k, v.encode()) for k, v in {**base, **extra}.items()]


@pytest.mark.parametrize(
    ("headers", "value", "reason"),
    [
        (_headers(), b"{not json", "Invalid JSON"),
        (_headers(), b'{"addresses": ["300.1.1.1"]}', "not an IP address"),
        (_headers(), b'{"addresses": []}', "data.addresses"),
        (
            _headers(),
            b'{"addresses": ["127.0.0.1"], "rogue": 1}',
            "data.rogue: Extra inputs are not permitted",
        ),
        (_headers("asset.exploded"), b"{}", "unknown event type 'asset.exploded'"),
        (_headers(ce_specversion="0.3"), b"{}", "unsupported specversion"),
        (_headers(ce_schemaversion="9"), b"{}", "newer than 2"),
        (_headers(ce_schemaversion="x"), b"{}", "not a number"),
        (
            [("ce_type", b"asset.observed")],
            b"{}",
            "missing CloudEvents attributes: id, source, time, specversion",
        ),
        ([*_headers()[:-1], ("ce_specversion", b"\xff")], b"{}", "not UTF-8"),
    ],
)
def test_undecodable_or_invalid_events_raise_with_a_reason(headers, value, reason):
    with pytest.raises(InvalidEvent) as caught:
        from_binary(headers, value)
    assert reason in caught.value.reason


def test_a_value_cannot_smuggle_envelope_attributes():
    crafted = b'{"addresses": ["127.0.0.1"]}, "scanid": "forged", "id": "forged", "x": {"y": 1}'
    try:
        event = from_binary(_headers(), crafted)
    except InvalidEvent:
        return  # refused outright: fine too
    assert event.id == "e1" and event.scanid is None
