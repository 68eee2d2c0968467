"""The review queue: hosts a scan found that no person declared, and what their OPD decided.

A row of `asset_review` exists only for an asset that entered the queue (a scan created it);
an asset without one is a person's record. A merge keeps in `asset_merge` everything un-merge
needs to put both records back: the merged-away row, its services and review row, the fields
the merge changed on the target (and its services), and the ids of the history rows it moved.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from spbe_common.events.enums import AssetKind
from spbe_inventory.db import EnumText, UTCDateTime
from spbe_inventory.patch import CLOSED, Id

MAX_REASON = 500


class ReviewState(StrEnum):
    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    IGNORED = "ignored"


class AssetReview(SQLModel, table=True):
    __tablename__ = "asset_review"
    asset_id: int = Field(foreign_key="asset.id", primary_key=True)
    state: ReviewState = Field(sa_type=EnumText, index=True)
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    discovered_at: datetime = Field(sa_type=UTCDateTime)
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AssetMerge(SQLModel, table=True):
    __tablename__ = "asset_merge"
    __table_args__ = (Index("ix_asset_merge_merged_id", "merged_id", "undone_at"),)
    id: int | None = Field(default=None, primary_key=True)
    merged_id: int  # the discovered asset's id; its row is gone while the merge stands
    into_id: int = Field(foreign_key="asset.id", index=True)
    opd_code: str | None = Field(default=None, max_length=32, index=True)  # of the merged row
    merged_row: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    review: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    services: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    moved_service_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    target_before: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    target_services_before: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    history_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    merged_by: str | None = Field(default=None, max_length=200)
    merged_at: datetime = Field(sa_type=UTCDateTime)
    undone_by: str | None = Field(default=None, max_length=200)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- the API's shapes --------------------------------------------------------------------------
class ReviewItem(SQLModel):
    """An asset of the queue, with its review state (and, when merged, the asset it went into)."""

    id: int
    name: str | None
    kind: AssetKind
    hostname: str | None
    address: str | None
    mac: str | None
    opd_code: str | None
    os_guess: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    state: str  # a ReviewState, or "merged"
    reason: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    merged_into: int | None = None


class ReviewList(SQLModel):
    data: list[ReviewItem]
    count: int


class ReviewCount(SQLModel):
    opd_code: str | None
    unreviewed: int


class ReviewCounts(SQLModel):
    data: list[ReviewCount]
    total: int


class AcceptBody(SQLModel):
    """What a person completes when taking a discovered host into the catalogue."""

    model_config = CLOSED

    name: str = Field(min_length=1, max_length=200)
    kind: AssetKind
    owner: str | None = Field(default=None, max_length=200)
    application_id: Id | None = None  # the application it runs, linked to it


class MergeBody(SQLModel):
    model_config = CLOSED

    into: Id  # the declared asset the discovered host really is


class IgnoreBody(SQLModel):
    model_config = CLOSED

    reason: str = Field(min_length=1, max_length=MAX_REASON)
