"""Organisation units: OPD (Organisasi Perangkat Daerah) and kecamatan."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from spbe_inventory.db import EnumText, UTCDateTime, utcnow
from spbe_inventory.patch import CLOSED, MAX_ITEMS, Name, Patch, unset


class OpdKind(StrEnum):
    SECRETARIAT = "secretariat"
    AGENCY = "agency"  # badan / dinas / inspektorat / satpol
    HOSPITAL = "hospital"
    KECAMATAN = "kecamatan"


class OpdBase(SQLModel):
    code: str = Field(
        max_length=32,
        unique=True,
        index=True,
        schema_extra={"pattern": r"^[A-Z0-9][A-Z0-9_-]{0,31}$"},
    )
    name: str = Field(min_length=2, max_length=200)
    abbreviation: str | None = Field(default=None, max_length=40)
    kind: OpdKind = Field(default=OpdKind.AGENCY, sa_type=EnumText)


class OpdCreate(OpdBase):
    model_config = CLOSED

    aliases: list[Name] = Field(default=[], max_length=MAX_ITEMS)


class OpdUpdate(Patch):
    name: str = unset(min_length=2, max_length=200)
    abbreviation: str | None = Field(default=None, max_length=40)
    kind: OpdKind = unset()
    aliases: list[Name] = unset(max_length=MAX_ITEMS)


class Opd(OpdBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_sample: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OpdPublic(OpdBase):
    id: int
    aliases: list[str]
    is_sample: bool


class OpdsPublic(SQLModel):
    data: list[OpdPublic]
    count: int
