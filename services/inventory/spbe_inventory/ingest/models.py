"""Bookkeeping of ingestion: processed event ids, rejected events, scans."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_inventory.db import UTCDateTime


class ProcessedEvent(SQLModel, table=True):
    """Event ids already folded in; at-least-once delivery makes duplicates normal."""

    __tablename__ = "processed_event"
    event_id: str = Field(primary_key=True, max_length=128)
    processed_at: datetime = Field(sa_type=UTCDateTime)


class RejectedEvent(SQLModel, table=True):
    """An event set aside with its reason; ingestion went on without it."""

    __tablename__ = "rejected_event"
    __table_args__ = (UniqueConstraint("topic", "partition", "offset"),)
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=200)
    partition: int
    offset: int
    event_id: str | None = Field(default=None, max_length=128)
    event_type: str | None = Field(default=None, max_length=64)
    reason: str = Field(max_length=2000)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rejected_at: datetime = Field(sa_type=UTCDateTime)


class Scan(SQLModel, table=True):
    scan_id: str = Field(primary_key=True, max_length=64)
    scope: str = Field(max_length=64, index=True)
    opd_code: str = Field(max_length=32)
    ranges: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    profile: str = Field(max_length=64)
    status: str = Field(default="running", max_length=16)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hosts_up: int | None = None
    marked_missing: int = 0
    chunks_total: int | None = None
    chunks_failed: int | None = None
    error: str | None = Field(default=None, max_length=500)


class ScanRequest(SQLModel, table=True):
    """A scan a person asked for on the pages; its scan, once started, has the same id."""

    __tablename__ = "scan_request"
    request_id: str = Field(primary_key=True, max_length=64)
    scope: str = Field(max_length=64, index=True)
    opd_code: str = Field(max_length=32)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    undelivered: bool = False  # the bus refused it: it never reached the collector
