"""Event payloads (CloudEvents `data`).

A change that a valid producer's events no longer pass, or that a consumer of the previous
version cannot read, bumps SCHEMA_VERSION. Tightening validation within limits.py does not.
"""

import socket
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    WithJsonSchema,
    field_validator,
)

from .enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    HostingKind,
    Lifecycle,
    Platform,
    Protocol,
    ScanStatus,
)
from .limits import (
    MAX_ADDRESSES,
    MAX_NAME,
    MAX_RANGE_LENGTH,
    MAX_RANGES,
    MAX_SERVICE_AREAS,
    MAX_SERVICES,
    MAX_TEXT,
    MAX_URLS,
)

MAC_PATTERN = r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$"
KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,62}$"


def _ip_address(value: str) -> str:
    """An IPv4 or IPv6 address in canonical form (inet_pton in C: ingestion parses many)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_ntop(family, socket.inet_pton(family, value))
        except OSError:
            continue
    raise ValueError(f"not an IP address: {value!r}")


IPAddress = Annotated[
    str,
    AfterValidator(_ip_address),
    WithJsonSchema({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
]


Range = Annotated[str, Field(min_length=1, max_length=MAX_RANGE_LENGTH)]


def _iso_date_only(value: Any) -> Any:
    """A calendar date is written as text (YYYY-MM-DD): a number is not read as a timestamp."""
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScanScope(Payload):
    """What a scan covers: the OPD and the network ranges scanned."""

    key: str = Field(
        pattern=KEY_PATTERN, description="Stable name of the scope, e.g. 'bappeda-lan'"
    )
    opd: str = Field(min_length=1, max_length=32, description="Code of the owning OPD")
    ranges: list[Range] = Field(min_length=1, max_length=MAX_RANGES)
    exclude: list[Range] = Field(default_factory=list, max_length=MAX_RANGES)


class ScanStarted(Payload):
    scan_id: str = Field(min_length=1, max_length=64)
    scope: ScanScope
    profile: str = Field(pattern=KEY_PATTERN)
    started_at: AwareDatetime


class ScanCompleted(Payload):
    scan_id: str = Field(min_length=1, max_length=64)
    scope: ScanScope
    profile: str = Field(pattern=KEY_PATTERN)
    status: ScanStatus
    started_at: AwareDatetime
    finished_at: AwareDatetime
    hosts_up: int = Field(ge=0)
    chunks_total: int = Field(default=1, ge=0)
    chunks_failed: int = Field(default=0, ge=0)
    error: str | None = Field(default=None, max_length=MAX_TEXT)


SCAN_REQUEST_TTL_S = 15 * 60
"""A scan request not started within this is dropped by the collector and shown as failed."""


class ScanRequested(Payload):
    """A person asked for a scan of a configured scope now; the scan runs with this id."""

    request_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="The scan id to use")
    scope: str = Field(pattern=KEY_PATTERN, description="Key of a scope in the collector's file")
    opd: str = Field(min_length=1, max_length=32, description="The OPD the scope must belong to")
    requested_by: str = Field(min_length=1, max_length=200)
    requested_at: AwareDatetime


class ObservedService(Payload):
    port: int = Field(ge=0, le=65535)
    protocol: Protocol = Protocol.TCP
    name: str | None = Field(default=None, max_length=64)
    product: str | None = Field(default=None, max_length=200)
    version: str | None = Field(default=None, max_length=100)


def _upper_mac(value: Any) -> Any:
    """Canonical MAC; anything but a string is left for the field's own validation to refuse."""
    return value.upper().replace("-", ":") if isinstance(value, str) else value


class AssetObserved(Payload):
    """One host seen by a scan."""

    addresses: list[IPAddress] = Field(min_length=1, max_length=MAX_ADDRESSES)
    mac: str | None = Field(default=None, pattern=MAC_PATTERN)
    hostname: str | None = Field(default=None, max_length=253)
    serial: str | None = Field(default=None, max_length=100)
    vendor: str | None = Field(default=None, max_length=200)
    os_guess: str | None = Field(default=None, max_length=200)
    services: list[ObservedService] = Field(default_factory=list, max_length=MAX_SERVICES)

    _mac = field_validator("mac", mode="before")(_upper_mac)


class AssetDeclared(Payload):
    """An asset as a person or an OPD spreadsheet declares it. Unset fields are not declared."""

    mac: str | None = Field(default=None, pattern=MAC_PATTERN)
    serial: str | None = Field(default=None, max_length=100)
    addresses: list[IPAddress] = Field(default_factory=list, max_length=MAX_ADDRESSES)
    hostname: str | None = Field(default=None, max_length=253)
    name: str | None = Field(default=None, max_length=200)
    kind: AssetKind | None = None
    opd: str | None = Field(default=None, max_length=32)
    location: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    lifecycle: Lifecycle | None = None
    # the regional asset register's facts (Manajemen Aset TIK)
    manufacturer: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=200)
    procurement_year: int | None = Field(default=None, ge=1950, le=2100)
    condition: AssetCondition | None = None
    acquisition_cost: int | None = Field(default=None, ge=0, le=10**15, description="Rupiah")
    funding_source: str | None = Field(default=None, max_length=100)
    asset_code: str | None = Field(
        default=None, max_length=100, description="Kode barang / nomor register"
    )
    warranty_until: IsoDate | None = None
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    declared_by: str | None = Field(default=None, max_length=200)

    _mac = field_validator("mac", mode="before")(_upper_mac)


class TlsCertificate(Payload):
    subject: str = Field(max_length=MAX_TEXT)
    issuer: str = Field(max_length=MAX_TEXT)
    not_after: AwareDatetime


class ApplicationObserved(Payload):
    """One probe of an application URL. Failures are results, not errors."""

    url: HttpUrl
    reachable: bool
    status_code: int | None = Field(default=None, ge=100, le=599)
    response_ms: float | None = Field(default=None, ge=0)
    final_url: HttpUrl | None = None
    redirects: int = Field(default=0, ge=0)
    tls: TlsCertificate | None = None
    server: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=500)


class ApplicationDeclared(Payload):
    """An application as a person or an OPD spreadsheet declares it, keyed by name and OPD."""

    name: str = Field(min_length=1, max_length=200)
    opd: str = Field(min_length=1, max_length=32)
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    urls: list[HttpUrl] = Field(default_factory=list, max_length=MAX_URLS)
    kind: ApplicationKind | None = None
    platform: Platform | None = None
    hosting: HostingKind | None = None
    status: ApplicationStatus | None = None
    service_areas: list[Annotated[str, Field(max_length=MAX_NAME)]] = Field(
        default_factory=list, max_length=MAX_SERVICE_AREAS
    )
    licence: str | None = Field(default=None, max_length=200, description="Software licence")
    licence_until: IsoDate | None = None
    declared_by: str | None = Field(default=None, max_length=200)


class ScoreComputed(Payload):
    run_id: str
    framework: str
    index: float
    predicate: str


PAYLOAD_OF_TYPE: dict[str, type[Payload]] = {
    "scan.started": ScanStarted,
    "scan.completed": ScanCompleted,
    "scan.requested": ScanRequested,
    "asset.observed": AssetObserved,
    "asset.declared": AssetDeclared,
    "application.observed": ApplicationObserved,
    "application.declared": ApplicationDeclared,
    "score.computed": ScoreComputed,
}
