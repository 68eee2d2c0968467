"""The steps of a worksheet: save (level, penjelasan, justification), accept or override the
derived proposal, submit, verify or return, assign; each records its history row with the
account. Services flush, never commit; refusals are service.WorkspaceError."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from spbe_common.auth import Principal
from spbe_scorer.assessments.schemas import Level
from spbe_scorer.assessments.service import AssessmentError, check_level
from spbe_scorer.db import utcnow
from spbe_scorer.frameworks import Framework

from . import history, service, views
from . import repository as repo
from .enums import WorksheetAction, WorksheetSource, WorksheetStatus
from .schemas import AssignmentIn, WorksheetUpdate


def _level(framework: Framework, indicator: str, raw: Level) -> Fraction:
    try:
        return check_level(framework, indicator, raw)
    except AssessmentError as exc:
        raise service.Invalid(str(exc), "level") from None


def _change(
    conn: Connection,
    ws: dict[str, Any],
    values: dict[str, Any],
    action: WorksheetAction,
    who: str,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store `values`, record the step; the stored row."""
    repo.update_worksheet(conn, ws["id"], values | {"updated_by": who, "updated_at": utcnow()})
    history.record(conn, ws["id"], action, who, detail)
    return service.get_worksheet(conn, ws["period_id"], ws["indicator"])


def _editing(
    conn: Connection, principal: Principal, period_id: int, indicator: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    period = service.get_period(conn, period_id)
    ws = service.get_worksheet(conn, period_id, indicator, lock=True)
    service.check_edit(principal, period, ws)
    return period, ws


def save(
    conn: Connection,
    principal: Principal,
    ws: dict[str, Any],
    period: dict[str, Any],
    body: WorksheetUpdate,
    frameworks_dir: Path | None,
) -> dict[str, Any]:
    """Level, penjelasan, justification; the level's source follows the period's proposal:
    equal -> accepted, different -> override (a justification needed), none -> manual."""
    service.check_edit(principal, period, ws)
    values: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"level"})
    values["status"] = WorksheetStatus.DRAFT.value
    action = WorksheetAction.SAVED
    detail: dict[str, Any] = {"fields": sorted(body.model_fields_set)}
    if body.level is not None:
        framework = service.framework_of(period["framework"], frameworks_dir)
        level = _level(framework, ws["indicator"], body.level)
        proposal = service.proposal(conn, period["id"], ws["indicator"])
        values |= _sourced(level, proposal, body.justification or ws["justification"])
        detail |= {
            "level": str(level),
            "before": ws["level_exact"],
            "source": values["level_source"],
        }
        if values["level_source"] == WorksheetSource.OVERRIDE:
            action = WorksheetAction.OVERRIDDEN
    return _change(conn, ws, values, action, principal.name, detail)


def _sourced(
    level: Fraction, proposal: Mapping[str, Any] | None, justification: str | None
) -> dict[str, Any]:
    if proposal is None:
        return {"level_exact": str(level), "level_source": WorksheetSource.MANUAL.value,
                "derived_level_exact": None, "derived_run_id": None}  # fmt: skip
    derived = Fraction(proposal["derived_level_exact"])
    source = WorksheetSource.ACCEPTED if level == derived else WorksheetSource.OVERRIDE
    if source is WorksheetSource.OVERRIDE and not (justification or "").strip():
        raise service.Invalid(
            f"level {level} differs from the derived proposal {derived}: give a justification",
            "justification",
        )
    return {"level_exact": str(level), "level_source": source.value,
            "derived_level_exact": str(derived), "derived_run_id": proposal["run_id"]}  # fmt: skip


def accept(
    conn: Connection, principal: Principal, period_id: int, indicator: str, explanation: str | None
) -> dict[str, Any]:
    _, ws = _editing(conn, principal, period_id, indicator)
    proposal = service.proposal(conn, period_id, indicator)
    if proposal is None:
        raise service.Conflict(
            f"indicator {indicator} has no derived proposal yet: run the period first"
        )
    values = _sourced(Fraction(proposal["derived_level_exact"]), proposal, None)
    values |= {"status": WorksheetStatus.DRAFT.value, "justification": None}
    if explanation is not None:
        values["explanation"] = explanation
    detail = {
        "level": values["level_exact"],
        "before": ws["level_exact"],
        "run_id": proposal["run_id"],
    }
    return _change(conn, ws, values, WorksheetAction.ACCEPTED, principal.name, detail)


def submit(
    conn: Connection, principal: Principal, period_id: int, indicator: str
) -> dict[str, Any]:
    _, ws = _editing(conn, principal, period_id, indicator)
    if ws["level_exact"] is None:
        raise service.Invalid(f"indicator {indicator} has no level yet; save one first", "level")
    if not ws["explanation"].strip():
        raise service.Invalid(
            f"indicator {indicator} needs a penjelasan (explanation)", "explanation"
        )
    values = {"status": WorksheetStatus.SUBMITTED.value, "submitted_by": principal.name,
              "submitted_at": utcnow()}  # fmt: skip
    detail = {"level": ws["level_exact"]}
    return _change(conn, ws, values, WorksheetAction.SUBMITTED, principal.name, detail)


def review(
    conn: Connection,
    principal: Principal,
    period_id: int,
    indicator: str,
    verified: bool,
    comment: str | None,
) -> dict[str, Any]:
    """Verify, or return to its evaluators with a comment (the schema requires one)."""
    period = service.get_period(conn, period_id)
    ws = service.get_worksheet(conn, period_id, indicator, lock=True)
    service.check_review(principal, period, ws)
    status = WorksheetStatus.VERIFIED if verified else WorksheetStatus.RETURNED
    action = WorksheetAction.VERIFIED if verified else WorksheetAction.RETURNED
    values = {"status": status.value, "reviewed_by": principal.name, "reviewed_at": utcnow(),
              "review_comment": comment}  # fmt: skip
    detail = {"comment": comment, "level": ws["level_exact"]}
    return _change(conn, ws, values, action, principal.name, detail)


def assign(
    conn: Connection, principal: Principal, period_id: int, indicator: str, body: AssignmentIn
) -> dict[str, Any]:
    service.check_open(service.get_period(conn, period_id))
    ws = service.get_worksheet(conn, period_id, indicator, lock=True)
    accounts = sorted(set(body.accounts))
    values = {"opd": body.opd, "accounts": accounts}
    detail = {"opd": body.opd, "accounts": accounts, "before": {"opd": ws["opd"],
              "accounts": ws["accounts"]}}  # fmt: skip
    return _change(conn, ws, values, WorksheetAction.ASSIGNED, principal.name, detail)


def worksheet_history(
    conn: Connection, period_id: int, indicator: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    ws = service.get_worksheet(conn, period_id, indicator)
    rows, count = history.of_worksheet(conn, ws["id"], limit, offset)
    return [views.history_public(r) for r in rows], count
