"""Applications (Aplikasi SPBE) with their declared facts and the last probe of their URLs."""

from datetime import datetime
from typing import Any

from pydantic import HttpUrl
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import ApplicationKind, ApplicationStatus, HostingKind, Platform
from spbe_common.events.limits import MAX_SERVICE_AREAS, MAX_URLS
from spbe_common.events.payloads import IsoDate
from spbe_inventory.db import DateText, EnumText, UTCDateTime, utcnow
from spbe_inventory.patch import CLOSED, INT64_END, MAX_IDS, Id, Name, Patch, unset


class ApplicationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, index=True)
    opd_code: str = Field(max_length=32, index=True)
    description: str | None = Field(default=None, max_length=2000)
    kind: ApplicationKind = Field(default=ApplicationKind.SPECIAL, sa_type=EnumText)
    platform: Platform = Field(default=Platform.WEB, sa_type=EnumText)
    hosting: HostingKind | None = Field(default=None, sa_type=EnumText)
    facility_id: int | None = Field(
        default=None,
        foreign_key="facility.id",
        schema_extra={"ge": 1, "lt": INT64_END, "strict": True},
    )
    status: ApplicationStatus = Field(default=ApplicationStatus.ACTIVE, sa_type=EnumText)
    function_level: int | None = Field(default=None, ge=1, le=5, schema_extra={"strict": True})
    uses_service_bus: bool = Field(default=False, schema_extra={"strict": True})
    licence: str | None = Field(default=None, max_length=200, description="Software licence")
    licence_until: IsoDate | None = Field(default=None, sa_type=DateText)


class ApplicationCreate(ApplicationBase):
    model_config = CLOSED

    urls: list[HttpUrl] = Field(default=[], max_length=MAX_URLS)
    service_areas: list[Name] = Field(default=[], max_length=MAX_SERVICE_AREAS)
    asset_ids: list[Id] = Field(default=[], max_length=MAX_IDS)


class ApplicationUpdate(Patch):
    description: str | None = Field(default=None, max_length=2000)
    kind: ApplicationKind = unset()
    platform: Platform = unset()
    hosting: HostingKind | None = None
    facility_id: Id | None = None
    status: ApplicationStatus = unset()
    function_level: int | None = Field(default=None, ge=1, le=5, schema_extra={"strict": True})
    uses_service_bus: bool = unset(strict=True)
    licence: str | None = Field(default=None, max_length=200)
    licence_until: IsoDate | None = None
    urls: list[HttpUrl] = unset(max_length=MAX_URLS)
    service_areas: list[Name] = unset(max_length=MAX_SERVICE_AREAS)
    asset_ids: list[Id] = unset(max_length=MAX_IDS)


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
