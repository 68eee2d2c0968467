"""The append-only change log: before, after, cause and (later) the acting user."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from spbe_inventory.db import EnumText, UTCDateTime


class EntityKind(StrEnum):
    OPD = "opd"
    ASSET = "asset"
    APPLICATION = "application"
    FACILITY = "facility"
    NETWORK_LINK = "network_link"
    AUDIT = "audit"
    REVIEW = "review"
    SERVICE_BUS = "service_bus"
    APPLICATION_PRACTICE = "application_practice"
    FACILITY_USE = "facility_use"
    EVALUATION_PROFILE = "evaluation_profile"


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MARKED_MISSING = "marked_missing"
    REAPPEARED = "reappeared"
    DELETED = "deleted"


class CauseKind(StrEnum):
    EVENT = "event"
    REQUEST = "request"
    SAMPLE = "sample"


class HistoryEntry(SQLModel, table=True):
    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity", "entity_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    entity: EntityKind = Field(sa_type=EnumText)
    entity_id: int
    action: ChangeAction = Field(sa_type=EnumText)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    cause_kind: CauseKind = Field(sa_type=EnumText)
    cause_id: str = Field(max_length=128, index=True)
    actor: str | None = Field(default=None, max_length=200)
    at: datetime = Field(sa_type=UTCDateTime)
