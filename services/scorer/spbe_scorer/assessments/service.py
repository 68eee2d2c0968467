"""Entering, changing and withdrawing manual assessments. Services flush, never commit.

`evaluator` is who acts: the signed-in account's name through the API, the operator's name
through the local CLI; it is stored on every create and update (who last changed it), and every
create, update and delete writes a history row (before, after, who, when)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from spbe_common.api import etag_of
from spbe_scorer.db import utcnow
from spbe_scorer.frameworks import Framework, FrameworkError, load_framework
from spbe_scorer.numbers import to_fraction

from . import repository as repo
from .enums import Change
from .schemas import AssessmentIn, AssessmentUpdate, Level


class AssessmentError(ValueError):
    """Refused input: unknown framework or indicator, level off the scale (HTTP 422)."""

    def __init__(self, message: str, field: str = "level") -> None:
        super().__init__(message)
        self.field = field


class AssessmentConflict(AssessmentError):
    """The indicator already has an assessment (HTTP 409): change that one instead."""


class AssessmentNotFound(AssessmentError):
    """HTTP 404."""


def check_level(framework: Framework, indicator: str, raw: Level) -> Fraction:
    if indicator not in framework.indicator_by_id:
        raise AssessmentError(f"{framework.id} has no indicator {indicator!r}", "indicator")
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


def check_evaluator(evaluator: str) -> str:
    if not 2 <= len(evaluator) <= 200:
        raise AssessmentError("the evaluator's name needs 2 to 200 characters", "evaluator")
    return evaluator


def _framework(framework_id: str, frameworks_dir: Path | None) -> Framework:
    try:
        return load_framework(framework_id, frameworks_dir)
    except FrameworkError as exc:
        raise AssessmentError(str(exc), "framework") from None


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "level": float(Fraction(row["level_exact"]))}


def _as_json(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {str(k): v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


def _record(
    conn: Connection,
    action: Change,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    account: str,
) -> None:
    assessment_id = (after or before or {})["id"]
    repo.insert_history(
        conn,
        {"assessment_id": assessment_id, "action": action.value, "before": _as_json(before),
         "after": _as_json(after), "account": account, "at": utcnow()},
    )  # fmt: skip


def etag(row: dict[str, Any]) -> str:
    """The version of an assessment as GET shows it; every update moves `updated_at`."""
    return etag_of({str(k): v for k, v in public(row).items()})  # keys may be str subclasses


def create(
    conn: Connection, body: AssessmentIn, evaluator: str, frameworks_dir: Path | None
) -> dict[str, Any]:
    """The stored row. Two concurrent creates of one indicator: one row, the other refused by
    the check below (SQLite's writers are serialised) or by the unique constraint (IntegrityError,
    PostgreSQL)."""
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
        "evaluator": check_evaluator(evaluator),
        "assessed_on": body.assessed_on or now.date(),
        "created_at": now,
        "updated_at": now,
    }
    stored = get(conn, repo.insert_one(conn, row))
    _record(conn, Change.CREATED, None, stored, evaluator)
    return stored


def update(
    conn: Connection,
    assessment_id: int,
    body: AssessmentUpdate,
    evaluator: str,
    frameworks_dir: Path | None,
) -> dict[str, Any]:
    return update_row(conn, get(conn, assessment_id, lock=True), body, evaluator, frameworks_dir)


def update_row(
    conn: Connection,
    row: dict[str, Any],
    body: AssessmentUpdate,
    evaluator: str,
    frameworks_dir: Path | None,
) -> dict[str, Any]:
    """Change only the fields `body` gives, on a row read with `lock=True`, and name `evaluator`
    as who changed it last; the stored row."""
    values = body.model_dump(exclude_unset=True, exclude={"level"})
    values["evaluator"] = check_evaluator(evaluator)
    if body.level is not None:  # never null: the schema refuses an explicit null
        framework = _framework(row["framework"], frameworks_dir)
        values["level_exact"] = str(check_level(framework, row["indicator"], body.level))
    values["updated_at"] = utcnow()
    repo.update_one(conn, row["id"], values)
    stored = get(conn, row["id"])
    _record(conn, Change.UPDATED, row, stored, evaluator)
    return stored


def get(conn: Connection, assessment_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = repo.by_id(conn, assessment_id, lock=lock)
    if row is None:
        raise AssessmentNotFound(f"assessment {assessment_id} not found")
    return row


def delete(conn: Connection, assessment_id: int, evaluator: str) -> None:
    row = get(conn, assessment_id, lock=True)
    repo.delete_one(conn, assessment_id)
    _record(conn, Change.DELETED, row, None, check_evaluator(evaluator))


def history(
    conn: Connection, assessment_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Also of a deleted assessment; an id that never had one is not found."""
    rows, count = repo.history_of(conn, assessment_id, limit, offset)
    if count == 0:
        raise AssessmentNotFound(f"assessment {assessment_id} not found")
    return rows, count
