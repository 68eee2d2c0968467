"""Requests of the evaluation workspace. Unknown fields are refused (422); a level is a number
or a short text ("3", "1,5"), checked against the framework's scale by the service."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spbe_scorer.assessments.schemas import Level

from .assignments import OPD_PATTERN
from .enums import PeriodStatus

Text = Annotated[str, Field(max_length=10_000)]
Comment = Annotated[str, Field(min_length=1, max_length=5000)]
Justification = Annotated[str, Field(min_length=3, max_length=5000)]
Account = Annotated[str, Field(pattern=r"^[a-z0-9._-]{2,64}$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotNull(Model):
    """Every field optional, none nullable: a field left out stays as it is."""

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class PeriodIn(Model):
    year: int = Field(ge=2000, le=2100, examples=[2026])
    framework: str = Field(min_length=1, max_length=32, examples=["pemdi-2026"])
    title: str | None = Field(default=None, min_length=1, max_length=200)
    copy_from: int | None = Field(
        default=None, ge=1, description="A previous period: its assignments and documents"
    )


class PeriodUpdate(NotNull):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    status: PeriodStatus | None = None
    asesor_index: Level | None = None
    asesor_note: Text | None = None


class WorksheetUpdate(NotNull):
    level: Level | None = None
    explanation: Text | None = None
    justification: Justification | None = None


class AcceptIn(Model):
    explanation: Text | None = None


class VerifyIn(Model):
    comment: Comment | None = None


class ReturnIn(Model):
    comment: Comment


class AssignmentIn(Model):
    opd: str | None = Field(pattern=OPD_PATTERN, examples=["INSPEKTORAT"])
    accounts: list[Account] = Field(default_factory=list, max_length=20)
