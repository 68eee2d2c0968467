"""Data-centre / hosting facilities and the intra-network links of OPD sites."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import HostingKind
from spbe_inventory.db import EnumText, UTCDateTime, utcnow


class LinkMedia(StrEnum):
    FIBRE = "fibre"
    RADIO = "radio"
    COPPER = "copper"
    VPN = "vpn"
    OTHER = "other"


class FacilityBase(SQLModel):
    name: str = Field(min_length=2, max_length=200, unique=True)
    kind: HostingKind = Field(default=HostingKind.PUSAT_DATA_PEMDA, sa_type=EnumText)
    location: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, max_length=20)
    owner_opd_code: str | None = Field(default=None, max_length=32)
    operator: str | None = Field(default=None, max_length=200)
    intranet_mbps: int | None = Field(default=None, ge=0)
    internet_mbps: int | None = Field(default=None, ge=0)
    has_sop: bool = False
    pdn_interconnected: bool = False


class Facility(FacilityBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilityPublic(FacilityBase):
    id: int
    is_sample: bool


class FacilitiesPublic(SQLModel):
    data: list[FacilityPublic]
    count: int


class NetworkLinkBase(SQLModel):
    opd_code: str = Field(max_length=32, index=True)
    site: str = Field(min_length=2, max_length=200)
    media: LinkMedia = Field(default=LinkMedia.FIBRE, sa_type=EnumText)
    bandwidth_mbps: int | None = Field(default=None, ge=0)
    owner: str | None = Field(default=None, max_length=200)
    operator: str | None = Field(default=None, max_length=200)
    on_intra_network: bool = True
    jip_interconnected: bool = False


class NetworkLink(NetworkLinkBase, table=True):
    __table_args__ = (UniqueConstraint("opd_code", "site", name="uq_networklink_opd_code_site"),)
    id: int | None = Field(default=None, primary_key=True)
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NetworkLinkPublic(NetworkLinkBase):
    id: int
    is_sample: bool


class NetworkLinksPublic(SQLModel):
    data: list[NetworkLinkPublic]
    count: int
