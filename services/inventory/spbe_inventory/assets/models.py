"""Assets (servers, VMs, network devices, ...) and the services seen on them.

Observed state (what scans saw) and declared state (what a person said) are stored apart, in
`observed` and `declared`; the plain columns hold the merged view: declared wins, field by field.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import AssetCondition, AssetKind, Lifecycle, Protocol
from spbe_common.events.limits import MAX_ADDRESSES
from spbe_common.events.payloads import IPAddress, IsoDate
from spbe_inventory.db import DateText, EnumText, UTCDateTime, utcnow
from spbe_inventory.patch import CLOSED, INT64_END, Id, Patch, unset

# The regional asset register's facts of an asset (Manajemen Aset TIK): only people declare them.
REGISTER_FIELDS = (
    "manufacturer", "model", "procurement_year", "condition", "acquisition_cost",
    "funding_source", "asset_code", "warranty_until", "notes",
)  # fmt: skip
# Fields whose value is the merge of declared and observed state (declared wins).
MERGED = (
    "name", "kind", "hostname", "mac", "serial", "opd_code", "location", "owner", "facility_id",
    "address", "addresses", "os_guess", "vendor", "lifecycle", *REGISTER_FIELDS,
)  # fmt: skip
# An asset known only by its OPD and name: a declared UPS, laptop or unmanaged switch.
NAME_ONLY = (
    "name IS NOT NULL AND opd_code IS NOT NULL AND mac IS NULL AND serial IS NULL"
    " AND asset_code IS NULL AND address IS NULL"
)
MAC_REGEX = r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$"


def _where(condition: str) -> dict[str, Any]:
    """A partial index, on SQLite and PostgreSQL alike."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class RegisterFacts(SQLModel):
    """What the regional asset register (Barang Milik Daerah) records of a device."""

    manufacturer: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=200)
    procurement_year: int | None = Field(
        default=None, ge=1950, le=2100, schema_extra={"strict": True}
    )
    condition: AssetCondition | None = Field(default=None, sa_type=EnumText)
    acquisition_cost: int | None = Field(
        default=None,
        ge=0,
        le=10**15,
        sa_type=BigInteger,
        description="Rupiah",
        schema_extra={"strict": True},
    )
    funding_source: str | None = Field(default=None, max_length=100)
    asset_code: str | None = Field(
        default=None, max_length=100, index=True, description="Kode barang / nomor register"
    )
    warranty_until: IsoDate | None = Field(default=None, sa_type=DateText)
    notes: str | None = Field(default=None, max_length=2000)


class AssetBase(RegisterFacts):
    name: str | None = Field(default=None, max_length=200)
    kind: AssetKind = Field(default=AssetKind.OTHER, sa_type=EnumText)
    hostname: str | None = Field(default=None, max_length=253, index=True)
    # no plain index: uq_asset_mac (WHERE mac IS NOT NULL) serves every lookup by MAC
    mac: str | None = Field(default=None, max_length=17)
    serial: str | None = Field(default=None, max_length=100, index=True)
    # no index of its own: ix_asset_opd_lifecycle (opd_code, lifecycle, id) starts with it
    opd_code: str | None = Field(default=None, max_length=32)
    location: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    facility_id: int | None = Field(
        default=None,
        foreign_key="facility.id",
        index=True,  # a facility's page lists its assets
        schema_extra={"ge": 1, "lt": INT64_END, "strict": True},
    )


class AssetCreate(AssetBase):
    """A declared asset. It needs an identity: a MAC, a serial, an address, or its OPD with an
    asset code or (failing all of these) a name."""

    model_config = CLOSED

    mac: str | None = Field(default=None, max_length=17, schema_extra={"pattern": MAC_REGEX})
    addresses: list[IPAddress] = Field(default=[], max_length=MAX_ADDRESSES)
    lifecycle: Lifecycle = Lifecycle.ACTIVE


class AssetUpdate(Patch):
    """Declared fields; a field set here is never overwritten by a scan."""

    manufacturer: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=200)
    procurement_year: int | None = Field(
        default=None, ge=1950, le=2100, schema_extra={"strict": True}
    )
    condition: AssetCondition | None = None
    acquisition_cost: int | None = Field(
        default=None, ge=0, le=10**15, schema_extra={"strict": True}
    )
    funding_source: str | None = Field(default=None, max_length=100)
    asset_code: str | None = Field(default=None, max_length=100)
    warranty_until: IsoDate | None = None
    notes: str | None = Field(default=None, max_length=2000)
    name: str | None = Field(default=None, max_length=200)
    kind: AssetKind = unset()
    hostname: str | None = Field(default=None, max_length=253)
    serial: str | None = Field(default=None, max_length=100)
    opd_code: str | None = Field(default=None, max_length=32)
    location: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    lifecycle: Lifecycle = unset()
    facility_id: Id | None = None


class Asset(AssetBase, table=True):
    __table_args__ = (
        Index("ix_asset_scope_address", "scope", "address"),
        Index("ix_asset_opd_lifecycle", "opd_code", "lifecycle", "id"),
        # covers what the evaluation snapshot counts per OPD (Manajemen Aset TIK, facilities in
        # use), so those counts read the index instead of every asset row
        Index(
            "ix_asset_register_summary",
            "lifecycle",
            "opd_code",
            "facility_id",
            "procurement_year",
            "condition",
            "asset_code",
        ),
        # Natural keys behind identity resolution: one asset per MAC, and per serial among assets
        # without a MAC (two NICs' MACs may share a serial: rule 2 of identity.py).
        Index("uq_asset_mac", "mac", unique=True, **_where("mac IS NOT NULL")),
        Index(
            "uq_asset_serial", "serial", unique=True, **_where("serial IS NOT NULL AND mac IS NULL")
        ),
        # One asset per entry of an OPD's asset register, and per name among the OPD's assets
        # known by nothing else (rules 3 and 5; the register numbers are each OPD's own).
        Index(
            "uq_asset_opd_code",
            "opd_code",
            "asset_code",
            unique=True,
            **_where("asset_code IS NOT NULL AND opd_code IS NOT NULL"),
        ),
        Index("uq_asset_opd_name", "opd_code", "name", unique=True, **_where(NAME_ONLY)),
    )
    id: int | None = Field(default=None, primary_key=True)
    address: str | None = Field(default=None, max_length=45, index=True)
    addresses: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    os_guess: str | None = Field(default=None, max_length=200)
    vendor: str | None = Field(default=None, max_length=200)
    lifecycle: Lifecycle = Field(default=Lifecycle.ACTIVE, index=True, sa_type=EnumText)
    first_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # not indexed: a repeat sighting then changes no indexed column, so PostgreSQL updates the
    # row in place (HOT) instead of adding an entry to every index of the table
    last_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scope: str | None = Field(default=None, max_length=64)
    last_scan_id: str | None = Field(default=None, max_length=64)
    identity_rule: str = Field(default="declared", max_length=32)
    fingerprint: str | None = Field(default=None, max_length=32)  # of the last observation applied
    observed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    declared: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceBase(SQLModel):
    port: int = Field(ge=0, le=65535)
    protocol: Protocol = Field(default=Protocol.TCP, sa_type=EnumText)
    name: str | None = Field(default=None, max_length=64)
    product: str | None = Field(default=None, max_length=200)
    version: str | None = Field(default=None, max_length=100)


class Service(ServiceBase, table=True):
    __table_args__ = (UniqueConstraint("asset_id", "port", "protocol"),)
    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: the unique (asset_id, port, protocol) starts with it
    asset_id: int = Field(foreign_key="asset.id")
    first_seen: datetime = Field(sa_type=UTCDateTime)
    last_seen: datetime = Field(sa_type=UTCDateTime)


class ServicePublic(ServiceBase):
    id: int
    asset_id: int
    first_seen: datetime
    last_seen: datetime


class ServicesPublic(SQLModel):
    data: list[ServicePublic]
    count: int


class AssetPublic(AssetBase):
    id: int
    address: str | None
    addresses: list[str]
    os_guess: str | None
    vendor: str | None
    lifecycle: Lifecycle
    first_seen: datetime | None
    last_seen: datetime | None
    scope: str | None
    identity_rule: str
    is_sample: bool


class AssetDetail(AssetPublic):
    observed: dict[str, Any]
    declared: dict[str, Any]
    services: list[ServicePublic]


class AssetsPublic(SQLModel):
    data: list[AssetPublic]
    count: int
