"""Entering, changing and withdrawing manual assessments. Services flush, never commit."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from spbe_scorer.db import utcnow
from spbe_scorer.frameworks import Framework, FrameworkError, load_framework
from spbe_scorer.numbers import to_fraction

from . import repository as repo
from .schemas import AssessmentIn, AssessmentUpdate, Level


class AssessmentError(ValueError):
    """Refused input: unknown framework or indicator, level off the scale (HTTP 422)."""


class AssessmentConflict(AssessmentError):
    """The indicator already has an assessment (HTTP 409): change that one instead."""


class AssessmentNotFound(AssessmentError):
    """HTTP 404."""


def check_level(framework: Framework, indicator: str, raw: Level) -> Fraction:
    if indicator not in framework.indicator_by_id:
        raise AssessmentError(f"{framework.id} has no indicator {indicator!r}")
    try:
        level = to_fraction(raw)
    except ValueError as exc:
        raise AssessmentError(f"indicator {indicator}: {exc}") from None
    low, high = framework.levels.min, framework.levels.max
    if framework.levels.integer and level.denominator != 1:
        raise AssessmentError(f"indicator {indicator}: level must be a whole number {low}..{high}")
    if not low <= level <= high:
        raise AssessmentError(f"indicator {indicator}: level {raw} is outside {low}..{high}")
    return level


def _framework(framework_id: str, frameworks_dir: Path | None) -> Framework:
    try:
        return load_framework(framework_id, frameworks_dir)
    except FrameworkError as exc:
        raise AssessmentError(str(exc)) from None


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "level": float(Fraction(row["level_exact"]))}


def create(conn: Connection, body: AssessmentIn, frameworks_dir: Path | None) -> dict[str, Any]:
    framework = _framework(body.framework, frameworks_dir)
    level = check_level(framework, body.indicator, body.level)
    if (found := repo.by_indicator(conn, framework.id, body.indicator)) is not None:
        raise AssessmentConflict(
            f"indicator {body.indicator} of {framework.id} already has assessment {found['id']}"
        )
    now = utcnow()
    row = {
        **body.model_dump(exclude={"level"}),
        "level_exact": str(level),
        "assessed_on": body.assessed_on or now.date(),
        "created_at": now,
        "updated_at": now,
    }
    row["id"] = repo.insert_one(conn, row)
    return public(row)


def update(
    conn: Connection, assessment_id: int, body: AssessmentUpdate, frameworks_dir: Path | None
) -> dict[str, Any]:
    row = get(conn, assessment_id)
    given = body.model_dump(exclude_unset=True, exclude={"level"})
    values = {k: v for k, v in given.items() if v is not None}  # null means "leave as it is"
    if body.level is not None:
        framework = _framework(row["framework"], frameworks_dir)
        values["level_exact"] = str(check_level(framework, row["indicator"], body.level))
    values["updated_at"] = utcnow()
    repo.update_one(conn, assessment_id, values)
    return public({**row, **values})


def get(conn: Connection, assessment_id: int) -> dict[str, Any]:
    row = repo.by_id(conn, assessment_id)
    if row is None:
        raise AssessmentNotFound(f"assessment {assessment_id} not found")
    return row


def delete(conn: Connection, assessment_id: int) -> None:
    get(conn, assessment_id)
    repo.delete_one(conn, assessment_id)
