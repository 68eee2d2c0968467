"""Manual assessments as the API and CLI take and show them.

Limits: a level is a number or a short text ("3", "1,26", "20/6"; see numbers.MAX_TEXT), at most
50 evidence links of at most 2,000 characters each; unknown fields are refused (422); a PATCH
changes only the fields it gives, and an explicit `null` is refused (422 naming the field).

Who assessed is the signed-in account that created or last changed the assessment (`evaluator`
in the answer); a request body naming an `evaluator` is refused (422), never taken as given.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spbe_scorer.numbers import MAX_TEXT

from .enums import Change

LevelText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Level = float | int | LevelText  # "3", 3, 1.26 or "1,26": checked against the framework's scale
Link = Annotated[str, Field(min_length=1, max_length=2000)]
Framework = Annotated[str, Field(min_length=1, max_length=32, examples=["spbe-2020"])]
Indicator = Annotated[str, Field(min_length=1, max_length=16, examples=["1"])]
Justification = Annotated[str, Field(min_length=3, max_length=5000)]
Links = Annotated[list[Link], Field(max_length=50)]


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: Framework
    indicator: Indicator
    level: Level
    justification: Justification
    evidence_links: Links = []
    assessed_on: date | None = Field(default=None, description="Default: today")


def _not_nullable(schema: dict[str, Any]) -> None:
    """The documented schema: each field may be left out, none may be null."""
    for prop in schema.get("properties", {}).values():
        kept = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
        prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept} if kept else {})
        prop.pop("default", None)


class AssessmentUpdate(BaseModel):
    """Every field optional, none nullable: a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_nullable)

    level: Level | None = None
    justification: Justification | None = None
    evidence_links: Links | None = None
    assessed_on: date | None = None

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class AssessmentPublic(BaseModel):
    id: int
    framework: str
    indicator: str
    level: float
    level_exact: str
    justification: str
    evidence_links: list[str]
    evaluator: str = Field(description="The account that created or last changed it")
    assessed_on: date
    created_at: datetime
    updated_at: datetime


class AssessmentsPublic(BaseModel):
    data: list[AssessmentPublic]
    count: int


class AssessmentChangePublic(BaseModel):
    id: int
    assessment_id: int
    action: Change
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    account: str = Field(description="The signed-in account that made the change")
    at: datetime


class AssessmentHistoryPublic(BaseModel):
    data: list[AssessmentChangePublic]
    count: int
