"""The rules of the evaluation workspace. Services flush, never commit; they raise typed errors
that the routes map to HTTP (NotFound 404, Forbidden 403, Conflict 409, Invalid 422)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection

from spbe_scorer.frameworks import Framework
from spbe_scorer.index import compute_index

from . import repository as repo


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
