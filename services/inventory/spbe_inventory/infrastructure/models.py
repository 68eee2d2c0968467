"""Data-centre / hosting facilities and the intra-network links of OPD sites."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import HostingKind
from spbe_inventory.db import EnumText, UTCDateTime, utcnow
from spbe_inventory.patch import CLOSED, INT64_END, OPEN, Patch, unset


class LinkMedia(StrEnum):
    FIBRE = "fibre"
    RADIO = "radio"
    COPPER = "copper"
    VPN = "vpn"
    OTHER = "other"


class FacilityBase(SQLModel):
    """A facility as declared (the body of POST): unknown fields are refused."""

    model_config = CLOSED

    name: str = Field(min_length=2, max_length=200, unique=True)
    kind: HostingKind = Field(default=HostingKind.PUSAT_DATA_PEMDA, sa_type=EnumText)
    location: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, max_length=20)
    owner_opd_code: str | None = Field(default=None, max_length=32)
    operator: str | None = Field(default=None, max_length=200)
    intranet_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    internet_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    has_sop: bool = Field(default=False, schema_extra={"strict": True})
    pdn_interconnected: bool = Field(default=False, schema_extra={"strict": True})


class Facility(FacilityBase, table=True):
    model_config = OPEN
    id: int | None = Field(default=None, primary_key=True)
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilityPublic(FacilityBase):
    model_config = OPEN
    id: int
    is_sample: bool


class FacilityUpdate(Patch):
    """The fields of a facility a PATCH changes; those left out stay as they are."""

    name: str = unset(min_length=2, max_length=200)
    kind: HostingKind = unset()
    location: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, max_length=20)
    owner_opd_code: str | None = Field(default=None, max_length=32)
    operator: str | None = Field(default=None, max_length=200)
    intranet_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    internet_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    has_sop: bool = unset(strict=True)
    pdn_interconnected: bool = unset(strict=True)


class FacilitiesPublic(SQLModel):
    data: list[FacilityPublic]
    count: int


class NetworkLinkBase(SQLModel):
    """A link as declared (the body of POST): unknown fields are refused."""

    model_config = CLOSED

    opd_code: str = Field(max_length=32, index=True)
    site: str = Field(min_length=2, max_length=200)
    media: LinkMedia = Field(default=LinkMedia.FIBRE, sa_type=EnumText)
    bandwidth_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    owner: str | None = Field(default=None, max_length=200)
    operator: str | None = Field(default=None, max_length=200)
    on_intra_network: bool = Field(default=True, schema_extra={"strict": True})
    jip_interconnected: bool = Field(default=False, schema_extra={"strict": True})


class NetworkLink(NetworkLinkBase, table=True):
    model_config = OPEN
    __table_args__ = (UniqueConstraint("opd_code", "site", name="uq_networklink_opd_code_site"),)
    id: int | None = Field(default=None, primary_key=True)
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NetworkLinkPublic(NetworkLinkBase):
    model_config = OPEN
    id: int
    is_sample: bool


class NetworkLinkUpdate(Patch):
    """The fields of a link a PATCH changes; those left out stay as they are."""

    opd_code: str = unset(max_length=32)
    site: str = unset(min_length=2, max_length=200)
    media: LinkMedia = unset()
    bandwidth_mbps: int | None = Field(
        default=None, schema_extra={"ge": 0, "lt": INT64_END, "strict": True}
    )
    owner: str | None = Field(default=None, max_length=200)
    operator: str | None = Field(default=None, max_length=200)
    on_intra_network: bool = unset(strict=True)
    jip_interconnected: bool = unset(strict=True)


class NetworkLinksPublic(SQLModel):
    data: list[NetworkLinkPublic]
    count: int
