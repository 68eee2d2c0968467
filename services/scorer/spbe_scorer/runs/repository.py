"""All SQL of runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from spbe_scorer.tables import PERIOD, RUN, RUN_INDICATOR

from .enums import RunScope

SUMMARY_COLUMNS = (
    "id", "framework", "framework_version", "trigger", "started_at", "finished_at",
    "snapshot_hash", "snapshot_taken_at", "index", "index_exact", "predicate", "counts",
    "published_at", "period_id",
)  # fmt: skip


def insert_run(conn: Connection, run: dict[str, Any], indicators: list[dict[str, Any]]) -> None:
    conn.execute(insert(RUN), run)
    conn.execute(insert(RUN_INDICATOR), indicators)


def list_runs(
    conn: Connection, framework: str | None, limit: int, offset: int, scope: RunScope | None = None
) -> tuple[list[dict[str, Any]], int]:
    where = [RUN.c.framework == framework] if framework else []
    if scope is not None:
        of_period = RUN.c.period_id.is_not(None)
        where.append(of_period if scope is RunScope.PERIOD else ~of_period)
    query = (
        select(*(RUN.c[name] for name in SUMMARY_COLUMNS))
        .where(*where)
        .order_by(RUN.c.started_at.desc(), RUN.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(RUN).where(*where)).scalar_one()
    return rows, int(count)


def run_by_id(conn: Connection, run_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(RUN).where(RUN.c.id == run_id)).mappings().first()
    return dict(row) if row else None


def indicators_of(conn: Connection, run_id: str) -> list[dict[str, Any]]:
    query = (
        select(RUN_INDICATOR)
        .where(RUN_INDICATOR.c.run_id == run_id)
        .order_by(RUN_INDICATOR.c.position)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def latest_of_period(conn: Connection, period_id: int) -> dict[str, Any] | None:
    """The newest run of an evaluation period (its summary columns)."""
    query = (
        select(*(RUN.c[name] for name in SUMMARY_COLUMNS))
        .where(RUN.c.period_id == period_id)
        .order_by(RUN.c.started_at.desc(), RUN.c.id)
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def latest_per_framework_and_period(conn: Connection) -> list[dict[str, Any]]:
    """The newest run of each framework and period (catalogue runs: period None), with the
    period's year; a run whose period is gone is left out."""
    newest = func.row_number().over(
        partition_by=(RUN.c.framework, RUN.c.period_id),
        order_by=(RUN.c.started_at.desc(), RUN.c.id),
    )
    ranked = select(
        RUN.c.framework, RUN.c.period_id, RUN.c.index, RUN.c.domains, RUN.c.aspects,
        newest.label("rank"),
    ).subquery()  # fmt: skip
    query = (
        select(ranked, PERIOD.c.year)
        .outerjoin(PERIOD, PERIOD.c.id == ranked.c.period_id)
        .where(ranked.c.rank == 1)
        .where((ranked.c.period_id.is_(None)) | (PERIOD.c.id.is_not(None)))
        .order_by(ranked.c.framework, PERIOD.c.year)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def indicator_of(conn: Connection, run_id: str, indicator: str) -> dict[str, Any] | None:
    query = select(RUN_INDICATOR).where(
        RUN_INDICATOR.c.run_id == run_id, RUN_INDICATOR.c.indicator == indicator
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def unpublished(conn: Connection) -> list[dict[str, Any]]:
    """The catalogue's runs not announced yet; a period's proposal run is no score to announce
    (score.computed names no period, a reader would take it for the framework's index)."""
    query = (
        select(RUN.c.id, RUN.c.framework, RUN.c.index, RUN.c.predicate, RUN.c.finished_at)
        .where(RUN.c.published_at.is_(None), RUN.c.period_id.is_(None))
        .order_by(RUN.c.finished_at)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def mark_published(conn: Connection, run_ids: Sequence[str], at: datetime) -> None:
    if run_ids:
        conn.execute(update(RUN).where(RUN.c.id.in_(list(run_ids))).values(published_at=at))
