"""Manual assessments as the API and CLI take and show them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

Level = float | int | str  # "3", 3, 1.26 or "1,26": checked against the framework's scale


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: str = Field(min_length=1, max_length=32, examples=["spbe-2020"])
    indicator: str = Field(min_length=1, max_length=16, examples=["1"])
    level: Level
    justification: str = Field(min_length=3, max_length=5000)
    evidence_links: list[str] = Field(default=[], max_length=50)
    evaluator: str = Field(min_length=2, max_length=200)
    assessed_on: date | None = Field(default=None, description="Default: today")


class AssessmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Level | None = None
    justification: str | None = Field(default=None, min_length=3, max_length=5000)
    evidence_links: list[str] | None = Field(default=None, max_length=50)
    evaluator: str | None = Field(default=None, min_length=2, max_length=200)
    assessed_on: date | None = None


class AssessmentPublic(BaseModel):
    id: int
    framework: str
    indicator: str
    level: float
    level_exact: str
    justification: str
    evidence_links: list[str]
    evaluator: str
    assessed_on: date
    created_at: datetime
    updated_at: datetime


class AssessmentsPublic(BaseModel):
    data: list[AssessmentPublic]
    count: int
