"""Applications (Aplikasi SPBE) with their declared facts and the last probe of their URLs."""

from datetime import datetime
from typing import Any

from pydantic import HttpUrl
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import ApplicationKind, ApplicationStatus, HostingKind, Platform
from spbe_inventory.db import EnumText, UTCDateTime, utcnow
from spbe_inventory.patch import Patch


class ApplicationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, index=True)
    opd_code: str = Field(max_length=32, index=True)
    description: str | None = Field(default=None, max_length=2000)
    kind: ApplicationKind = Field(default=ApplicationKind.SPECIAL, sa_type=EnumText)
    platform: Platform = Field(default=Platform.WEB, sa_type=EnumText)
    hosting: HostingKind | None = Field(default=None, sa_type=EnumText)
    facility_id: int | None = Field(default=None, foreign_key="facility.id")
    status: ApplicationStatus = Field(default=ApplicationStatus.ACTIVE, sa_type=EnumText)
    function_level: int | None = Field(default=None, ge=1, le=5)
    uses_service_bus: bool = False


class ApplicationCreate(ApplicationBase):
    urls: list[HttpUrl] = []
    service_areas: list[str] = []
    asset_ids: list[int] = []


class ApplicationUpdate(Patch):
    not_null = frozenset(
        {"kind", "platform", "status", "uses_service_bus", "urls", "service_areas", "asset_ids"}
    )

    description: str | None = Field(default=None, max_length=2000)
    kind: ApplicationKind | None = None
    platform: Platform | None = None
    hosting: HostingKind | None = None
    facility_id: int | None = None
    status: ApplicationStatus | None = None
    function_level: int | None = Field(default=None, ge=1, le=5)
    uses_service_bus: bool | None = None
    urls: list[HttpUrl] | None = None
    service_areas: list[str] | None = None
    asset_ids: list[int] | None = None


class Application(ApplicationBase, table=True):
    __table_args__ = (UniqueConstraint("opd_code", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    urls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    service_areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    probe: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_probed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    declared: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApplicationAsset(SQLModel, table=True):
    """Which assets an application runs on."""

    application_id: int = Field(foreign_key="application.id", primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", primary_key=True, index=True)


class ApplicationPublic(ApplicationBase):
    id: int
    urls: list[str]
    service_areas: list[str]
    probe: dict[str, Any]
    last_probed_at: datetime | None
    is_sample: bool


class ApplicationDetail(ApplicationPublic):
    asset_ids: list[int]


class ApplicationsPublic(SQLModel):
    data: list[ApplicationPublic]
    count: int
