"""Runs as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: str = Field(
        default="spbe-2020", min_length=1, max_length=32, examples=["spbe-2020", "pemdi-2026"]
    )


class RunSummary(BaseModel):
    id: str
    framework: str
    framework_version: str
    trigger: str
    started_at: datetime
    finished_at: datetime
    snapshot_hash: str
    snapshot_taken_at: datetime
    index: float
    index_display: str
    index_exact: str
    predicate: str
    counts: dict[str, int]
    published_at: datetime | None
    period_id: int | None = None  # a run of an evaluation period


class RunsPublic(BaseModel):
    data: list[RunSummary]
    count: int


class IndicatorPublic(BaseModel):
    indicator: str
    name: str
    domain: str
    aspect: str
    level: float
    level_exact: str
    source: str
    derived_level_exact: str | None
    manual_level_exact: str | None
    assessment_id: int | None
    criterion: str | None
    evidence: list[dict[str, str]]
    evidence_links: list[str]
    missing: list[str]
    missing_opds: list[str]
    justification: str | None
    evaluator: str | None
    unconfirmed: str | None


class RunDetail(RunSummary):
    inventory_url: str
    assessments: list[dict[str, Any]]
    domains: list[dict[str, str]]
    aspects: list[dict[str, str]]
    indicators: list[IndicatorPublic]


class IndicatorChangePublic(BaseModel):
    indicator: str
    name: str
    before: float
    after: float
    delta: float
    source_before: str
    source_after: str


class ComparisonPublic(BaseModel):
    framework: str
    run_a: str
    run_b: str
    index_a: float
    index_b: float
    index_delta: float
    predicate_a: str
    predicate_b: str
    changed: list[IndicatorChangePublic]
    indicators: list[IndicatorChangePublic]
