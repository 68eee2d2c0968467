"""The CloudEvents 1.0 envelope and its Kafka binary-mode binding (also used by the embedded log).

In binary mode the record value is the event data and each attribute is a `ce_<name>` header.
What a record may hold (size, one JSON document, clean text, times with a timezone) is in limits.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    create_model,
)

from .limits import MAX_HEADER_BYTES, MAX_RECORD_BYTES
from .payloads import PAYLOAD_OF_TYPE, AssetDeclared, AssetObserved, Payload
from .types import SCHEMA_VERSION, SPEC_VERSION, EventType

Headers = list[tuple[str, bytes]]
CONTENT_TYPE = "application/json"
SCHEMA_BASE = "https://spbe-inventory.github.io/schemas"
_REQUIRED = ("id", "type", "source", "time", "specversion")
_REQUIRED_SET = frozenset(_REQUIRED)
_OPTIONAL = ("schemaversion", "scanid", "scope", "subject", "dataschema")


class InvalidEvent(ValueError):
    """An event that cannot be decoded or fails validation; `reason` says why, `code` is
    INVALID or, for a type outside the contract, UNKNOWN_TYPE."""

    INVALID = "invalid"
    UNKNOWN_TYPE = "unknown_type"

    def __init__(self, reason: str, code: str = INVALID) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class Event(BaseModel):
    """CloudEvents attributes plus the extensions of this project (schemaversion, scanid, scope)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=128)
    type: EventType
    source: str = Field(min_length=1, max_length=256)
    time: AwareDatetime
    specversion: str = SPEC_VERSION
    datacontenttype: str = Field(default=CONTENT_TYPE, max_length=64)
    dataschema: str | None = Field(default=None, max_length=512)
    schemaversion: int = SCHEMA_VERSION
    scanid: str | None = Field(default=None, max_length=64)
    scope: str | None = Field(default=None, max_length=64)
    subject: str | None = Field(default=None, max_length=2200)  # "url:" and a URL
    data: SerializeAsAny[Payload]

    def key(self) -> bytes | None:
        """Partition key: the scope for a scan's events, else the subject's natural key.

        A scope is the unit of missing-marking, so all of one scope's scan (started, every
        observation, completed) must stay in order: keyed by subject, scan.completed could
        overtake an observation on another partition and mark a present asset missing.
        """
        if self.scope:
            return f"scope:{self.scope}".encode()
        return self.subject.encode() if self.subject else None


def natural_key(data: Payload) -> str | None:
    """The subject of an event: MAC, else serial, else first address; application URL or name."""
    if isinstance(data, AssetObserved | AssetDeclared):
        if data.mac:
            return f"mac:{data.mac}"
        if data.serial:
            return f"serial:{data.serial}"
        return f"ip:{data.addresses[0]}" if data.addresses else None
    url = getattr(data, "url", None)
    if url is not None:
        return f"url:{url}"
    name, opd = getattr(data, "name", None), getattr(data, "opd", None)
    return f"app:{opd}:{name}" if name and opd else None


def new_event(
    type_: EventType,
    data: Payload,
    *,
    source: str,
    scan_id: str | None = None,
    scope: str | None = None,
    time: datetime | None = None,
    event_id: str | None = None,
) -> Event:
    return Event(
        id=event_id or str(uuid.uuid4()),
        type=type_,
        source=source,
        time=time or datetime.now(UTC),
        dataschema=f"{SCHEMA_BASE}/{type_.value}.v{SCHEMA_VERSION}.json",
        scanid=scan_id,
        scope=scope,
        subject=natural_key(data),
        data=data,
    )


def to_binary(event: Event) -> tuple[Headers, bytes]:
    """Encode to (headers, value) in CloudEvents binary mode."""
    headers: Headers = [
        ("ce_specversion", event.specversion.encode()),
        ("ce_id", event.id.encode()),
        ("ce_type", event.type.value.encode()),
        ("ce_source", event.source.encode()),
        ("ce_time", event.time.isoformat().encode()),
        ("ce_schemaversion", str(event.schemaversion).encode()),
        ("content-type", event.datacontenttype.encode()),
    ]
    for name in ("scanid", "scope", "subject", "dataschema"):
        value = getattr(event, name)
        if value is not None:
            headers.append((f"ce_{name}", value.encode()))
    return headers, orjson.dumps(event.data.model_dump(mode="json", exclude_none=True))


def attributes(headers: Headers) -> dict[str, str]:
    """The CloudEvents attributes of binary-mode headers, checked for size, UTF-8 and NUL."""
    size = 0
    attrs: dict[str, str] = {}
    not_utf8: UnicodeDecodeError | None = None
    for name, raw in headers:
        size += len(name) + len(raw)
        if name.startswith("ce_"):
            try:
                attrs[name[3:]] = raw.decode()
            except UnicodeDecodeError as exc:
                not_utf8 = exc
    if size > MAX_HEADER_BYTES:
        raise InvalidEvent(f"headers larger than {MAX_HEADER_BYTES} bytes")
    if not_utf8 is not None:
        raise InvalidEvent("a ce_ header is not UTF-8") from not_utf8
    if not attrs.keys() >= _REQUIRED_SET:
        missing = [name for name in _REQUIRED if name not in attrs]
        raise InvalidEvent(f"missing CloudEvents attributes: {', '.join(missing)}")
    if "\x00" in "".join(attrs.values()):
        raise InvalidEvent("a ce_ header contains NUL")
    return attrs


def _check_value(value: bytes) -> None:
    """Exactly one JSON object of bounded size, valid UTF-8 without lone surrogates or NUL."""
    if len(value) > MAX_RECORD_BYTES:
        raise InvalidEvent(f"invalid event: data: {len(value)} bytes, over {MAX_RECORD_BYTES}")
    try:  # orjson refuses trailing content, invalid UTF-8 and lone surrogates
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent(f"invalid event: data: Invalid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise InvalidEvent("invalid event: data: not a JSON object")
    if b"\\u0000" in value and _has_nul(parsed):  # NUL can only arrive escaped
        raise InvalidEvent("invalid event: data: text contains NUL")


def _has_nul(node: Any) -> bool:
    if isinstance(node, str):
        return "\x00" in node
    if isinstance(node, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_nul(item) for item in node)
    return False


# One envelope model per type, so attributes and data are validated in a single pass.
_ENVELOPE_OF: dict[str, type[Event]] = {
    name: create_model(f"Event_{name.replace('.', '_')}", __base__=Event, data=(payload, ...))
    for name, payload in PAYLOAD_OF_TYPE.items()
}
_ABSENT = dict.fromkeys(_OPTIONAL)


def from_binary(headers: Headers, value: bytes) -> Event:
    """Decode and validate one record; raises InvalidEvent with a reason."""
    attrs = attributes(headers)
    envelope = _ENVELOPE_OF.get(attrs["type"])
    if envelope is None:
        raise InvalidEvent(f"unknown event type {attrs['type']!r}", InvalidEvent.UNKNOWN_TYPE)
    if attrs["specversion"] != SPEC_VERSION:
        raise InvalidEvent(f"unsupported specversion {attrs['specversion']!r}")
    if not attrs.get("schemaversion", "1").isdigit():
        raise InvalidEvent(f"schemaversion {attrs['schemaversion']!r} is not a number")
    if int(attrs.get("schemaversion", SCHEMA_VERSION)) > SCHEMA_VERSION:
        raise InvalidEvent(f"schemaversion {attrs['schemaversion']} is newer than {SCHEMA_VERSION}")
    _check_value(value)
    try:
        # the value is one JSON object (checked above), so it cannot close the envelope early;
        # data first, then every attribute (absent ones as null): the last key wins
        tail = orjson.dumps({**_ABSENT, **attrs})
        return envelope.model_validate_json(b'{"data":' + value + b"," + tail[1:])
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or 'data'}: {e['msg']}" for e in exc.errors()[:5]]
    return "invalid event: " + "; ".join(parts)
