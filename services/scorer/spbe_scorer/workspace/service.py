"""The rules of the evaluation workspace. Services flush, never commit; they raise typed errors
that the routes map to HTTP (NotFound 404, Forbidden 403, Conflict 409, Invalid 422)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from spbe_common.api import etag_of
from spbe_common.auth import Permission, Principal, Role
from spbe_scorer.db import utcnow
from spbe_scorer.frameworks import Framework, FrameworkError, load_framework
from spbe_scorer.index import compute_index, predicate_for
from spbe_scorer.numbers import to_fraction
from spbe_scorer.runs import repository as runs_repo
from spbe_scorer.settings import ScorerSettings

from . import assignments, history, views
from . import repository as repo
from .access import EDITABLE, assigned_to, may_edit, may_review
from .enums import (
    PeriodStatus,
    WorksheetAction,
    WorksheetStatus,
)
from .schemas import PeriodIn, PeriodUpdate


class WorkspaceError(Exception):
    """Every refusal of the workspace; `field` names the input at fault (422)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(WorkspaceError):
    """HTTP 404: no such period, indicator or document."""


class Forbidden(WorkspaceError):
    """HTTP 403: not the caller's to change or review, or the period is closed."""


class Conflict(WorkspaceError):
    """HTTP 409: the period or worksheet is not in a state that allows this."""


class Invalid(WorkspaceError):
    """HTTP 422: refused input; `field` names it."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message, field)


def get_period(conn: Connection, period_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = repo.period(conn, period_id, lock)
    if row is None:
        raise NotFound(f"evaluation period {period_id} not found")
    return row


def get_worksheet(
    conn: Connection, period_id: int, indicator: str, *, lock: bool = False
) -> dict[str, Any]:
    row = repo.worksheet(conn, period_id, indicator, lock)
    if row is None:
        get_period(conn, period_id)  # the period's own 404 first
        raise NotFound(f"evaluation period {period_id} has no indicator {indicator!r}")
    return row


def period_index(
    framework: Framework,
    worksheets: Iterable[Mapping[str, Any]],
    attr: str = "level_exact",
    fill: bool | None = None,
) -> Fraction | None:
    """The framework's index over the worksheets' `attr` levels, computed as runs compute it.

    `fill` (default: True for the self-assessed `level_exact`, False otherwise): an indicator
    without a level counts at the scale minimum; without `fill` the index is None unless every
    indicator has one. External-index indicators without a level take their default either way.
    """
    fill = attr == "level_exact" if fill is None else fill
    given = {w["indicator"]: w[attr] for w in worksheets if w.get(attr) is not None}
    levels: dict[str, object] = {}
    for indicator in framework.indicators:
        if indicator.id in given:
            levels[indicator.id] = Fraction(given[indicator.id])
        elif indicator.external_index is None:
            if not fill:
                return None
            levels[indicator.id] = Fraction(framework.levels.min)
    return compute_index(framework, levels).index


def framework_of(framework_id: str, frameworks_dir: Path | None) -> Framework:
    try:
        return load_framework(framework_id, frameworks_dir)
    except FrameworkError as exc:
        raise Invalid(str(exc), "framework") from None


def etag(row: Mapping[str, Any]) -> str:
    """The version of a worksheet; every change moves `updated_at`."""
    return etag_of({str(k): v for k, v in row.items()})


# --- Periods --------------------------------------------------------------------------------


def period_public(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    counts = repo.status_counts(conn, [row["id"]]).get(row["id"], {})
    return views.period_public(row, counts)


def list_periods(conn: Connection) -> list[dict[str, Any]]:
    rows = repo.periods(conn)
    counts = repo.status_counts(conn, [r["id"] for r in rows])
    return [views.period_public(r, counts.get(r["id"], {})) for r in rows]


def _starting_assignments(
    conn: Connection, framework: Framework, body: PeriodIn, settings: ScorerSettings
) -> dict[str, tuple[str | None, list[str]]]:
    """indicator -> (OPD, named accounts): the defaults file's, replaced by the previous
    period's for every indicator that period also has (`copy_from`)."""
    try:
        defaults = assignments.defaults_for(
            framework, settings.scorer_assignments_file, settings.frameworks_dir
        )
    except assignments.AssignmentsError as exc:
        raise Invalid(str(exc), "framework") from None
    assigned: dict[str, tuple[str | None, list[str]]] = {
        indicator: (opd, []) for indicator, opd in defaults.items()
    }
    if body.copy_from is not None:
        if repo.period(conn, body.copy_from) is None:
            raise Invalid(f"copy_from: no evaluation period {body.copy_from}", "copy_from")
        for w in repo.worksheets(conn, body.copy_from):
            if w["indicator"] in framework.indicator_by_id:
                assigned[w["indicator"]] = (w["opd"], list(w["accounts"]))
    return assigned


def create_period(
    conn: Connection, body: PeriodIn, principal: Principal, settings: ScorerSettings
) -> dict[str, Any]:
    """A period with one worksheet per indicator of its framework, assigned; with `copy_from`,
    the previous period's assignments (indicators that exist in both) and documents."""
    framework = framework_of(body.framework, settings.frameworks_dir)
    if (found := repo.period_by_year(conn, body.year, framework.id)) is not None:
        raise Conflict(f"{framework.id} {body.year} is already evaluation period {found['id']}")
    assigned = _starting_assignments(conn, framework, body, settings)
    now, who = utcnow(), principal.name
    title = body.title or f"{framework.title} {body.year}"
    period_id = repo.insert_period(
        conn,
        {"year": body.year, "framework": framework.id, "title": title,
         "status": PeriodStatus.OPEN.value, "source_period_id": body.copy_from,
         "created_by": who, "created_at": now, "updated_at": now},
    )  # fmt: skip
    rows = [
        {"period_id": period_id, "indicator": ind.id, "position": n,
         "opd": assigned.get(ind.id, (None, []))[0], "accounts": assigned.get(ind.id, (None, []))[1],
         "status": WorksheetStatus.NOT_STARTED.value, "explanation": "", "updated_by": who,
         "updated_at": now}
        for n, ind in enumerate(framework.indicators)
    ]  # fmt: skip
    repo.insert_worksheets(conn, rows)
    for indicator, worksheet_id in repo.worksheet_ids(conn, period_id).items():
        opd, accounts = assigned.get(indicator, (None, []))
        detail = {"opd": opd, "accounts": accounts, "copy_from": body.copy_from}
        history.record(conn, worksheet_id, WorksheetAction.CREATED, who, detail)
    if body.copy_from is not None:
        repo.copy_documents(conn, body.copy_from, period_id, framework.indicator_by_id)
    return period_public(conn, get_period(conn, period_id))


def _asesor_index(framework: Framework, raw: object) -> Fraction:
    try:
        value = to_fraction(raw)
    except ValueError as exc:
        raise Invalid(f"asesor_index: {exc}", "asesor_index") from None
    low, high = framework.levels.min, framework.levels.max
    if not low <= value <= high:
        raise Invalid(f"asesor_index {raw} is outside {low}..{high}", "asesor_index")
    return value


def update_period(
    conn: Connection, period_id: int, body: PeriodUpdate, frameworks_dir: Path | None
) -> dict[str, Any]:
    row = get_period(conn, period_id, lock=True)
    values = body.model_dump(exclude_unset=True, exclude={"asesor_index"})
    if body.asesor_index is not None:
        value = _asesor_index(framework_of(row["framework"], frameworks_dir), body.asesor_index)
        values |= {"asesor_index_exact": str(value), "asesor_index": float(value)}
    values["updated_at"] = utcnow()
    repo.update_period(conn, period_id, values)
    return period_public(conn, get_period(conn, period_id))


def _index_part(framework: Framework, value: Fraction | None, name: str) -> dict[str, Any]:
    return {
        name: None if value is None else float(value),
        f"{name}_exact": views.exact(value),
        f"{name}_predicate": None if value is None else predicate_for(framework, value),
    }


def coverage(framework: Framework, worksheets: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many indicators have a self-assessed level; the others count at `scale_minimum`."""
    levelled = sum(1 for w in worksheets if w["level_exact"] is not None)
    return {
        "self_assessment_levelled": levelled,
        "self_assessment_indicators": len(framework.indicators),
        "scale_minimum": framework.levels.min,
    }


def overview(conn: Connection, period_id: int, frameworks_dir: Path | None) -> dict[str, Any]:
    """The period, both indices and their difference, progress, and one line per indicator."""
    period = get_period(conn, period_id)
    framework = framework_of(period["framework"], frameworks_dir)
    rows = repo.worksheets(conn, period_id)
    own = period_index(framework, rows)
    asesor = (
        Fraction(period["asesor_index_exact"])
        if period["asesor_index_exact"] is not None
        else period_index(framework, rows, "asesor_level_exact")
    )
    diff = views.difference(asesor, own)
    index = {
        **_index_part(framework, own, "self_assessment"),
        **_index_part(framework, asesor, "asesor"),
        "difference": None if diff is None else float(diff),
        "difference_exact": views.exact(diff),
        **coverage(framework, rows),
    }
    docs, places = repo.document_counts(conn, period_id), views.places(framework)
    counts: dict[str, int] = {}
    for w in rows:
        counts[w["status"]] = counts.get(w["status"], 0) + 1
    return {
        "period": views.period_public(period, counts),
        "index": index,
        "progress": {"by_status": views.progress(counts), "by_opd": views.by_opd(rows)},
        "indicators": [
            views.indicator_line(places[w["indicator"]], w, docs.get(w["indicator"], 0))
            for w in rows
        ],
    }


def check_run(conn: Connection, period_id: int) -> dict[str, Any]:
    """The period a run is asked for: it exists and is open."""
    period = get_period(conn, period_id)
    check_open(period)
    return period


# --- Worksheets -----------------------------------------------------------------------------


def check_open(period: Mapping[str, Any]) -> None:
    if period["status"] != PeriodStatus.OPEN:
        raise Forbidden(f"evaluation period {period['id']} is closed; nothing in it changes")


def proposal(conn: Connection, period_id: int, indicator: str) -> dict[str, Any] | None:
    """The indicator's row of the period's latest run, when a rule derived a level there."""
    run = runs_repo.latest_of_period(conn, period_id)
    row = runs_repo.indicator_of(conn, run["id"], indicator) if run else None
    return row if row and row["derived_level_exact"] is not None else None


def worksheet_public(
    conn: Connection,
    principal: Principal,
    period: dict[str, Any],
    row: dict[str, Any],
    frameworks_dir: Path | None,
) -> dict[str, Any]:
    framework = framework_of(period["framework"], frameworks_dir)
    found = proposal(conn, period["id"], row["indicator"])
    documents = repo.documents(conn, period["id"], row["indicator"])
    return views.worksheet_public(framework, period, row, principal, found, documents)


def list_worksheets(
    conn: Connection,
    principal: Principal,
    period_id: int,
    filters: Mapping[str, Any],
    frameworks_dir: Path | None,
) -> list[dict[str, Any]]:
    """`filters`: opd, status, mine (the worksheets assigned to the caller)."""
    period = get_period(conn, period_id)
    framework = framework_of(period["framework"], frameworks_dir)
    mine = (principal.name, principal.member_of) if filters.get("mine") else None
    rows = repo.worksheets(conn, period_id, filters.get("opd"), filters.get("status"), mine)
    run = runs_repo.latest_of_period(conn, period_id)
    proposals = {r["indicator"]: r for r in runs_repo.indicators_of(conn, run["id"])} if run else {}
    docs: dict[str, list[dict[str, Any]]] = {}
    for d in repo.documents(conn, period_id):
        docs.setdefault(d["indicator"], []).append(d)
    return [
        views.worksheet_public(
            framework,
            period,
            w,
            principal,
            proposals.get(w["indicator"]),
            docs.get(w["indicator"], []),
        )
        for w in rows
    ]


def check_edit(principal: Principal, period: Mapping[str, Any], ws: Mapping[str, Any]) -> None:
    """403 unless the worksheet is the caller's to fill in; 409 when submitted or verified."""
    check_open(period)
    if not principal.can(Permission.SCORES_WRITE) or not assigned_to(principal, ws):
        own = ", ".join(sorted(principal.member_of)) or "no OPD"
        raise Forbidden(
            f"indicator {ws['indicator']} is assigned to {ws['opd'] or 'no OPD'}"
            f"{' and ' + ', '.join(ws['accounts']) if ws['accounts'] else ''};"
            f" {principal.name} ({own}) cannot change it"
        )
    if ws["status"] not in EDITABLE:
        raise Conflict(f"indicator {ws['indicator']} is {ws['status']}; it cannot change now")
    if not may_edit(principal, period, ws):  # access.py has the last word
        raise Forbidden(f"{principal.name} cannot change indicator {ws['indicator']}")


def check_review(principal: Principal, period: Mapping[str, Any], ws: Mapping[str, Any]) -> None:
    check_open(period)
    if principal.role not in (Role.ADMIN, Role.EVALUATOR):
        raise Forbidden(f"{principal.name} is no evaluator; only evaluators review worksheets")
    if ws["status"] != WorksheetStatus.SUBMITTED:
        raise Conflict(f"indicator {ws['indicator']} is {ws['status']}, not submitted for review")
    if ws["submitted_by"] == principal.name:
        raise Forbidden(
            f"{principal.name} submitted indicator {ws['indicator']}; another evaluator reviews it"
        )
    if not may_review(principal, period, ws):
        raise Forbidden(f"{principal.name} cannot review indicator {ws['indicator']}")
