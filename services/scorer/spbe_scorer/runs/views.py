"""Stored runs -> the documents the API and CLI show (shared so both show the same)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from spbe_scorer.frameworks import FrameworkError, load_framework
from spbe_scorer.numbers import display

from . import repository as repo
from .compare import Comparison, IndicatorChange, compare

DETAIL_DROP = ("run_id", "position", "level")


class RunNotFound(LookupError):
    pass


def summary(run: dict[str, Any]) -> dict[str, Any]:
    fields = {k: run[k] for k in repo.SUMMARY_COLUMNS}
    return {**fields, "index_display": display(Fraction(run["index_exact"]))}


def load(conn: Connection, run_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run = repo.run_by_id(conn, run_id)
    if run is None:
        raise RunNotFound(f"run {run_id} not found")
    return run, repo.indicators_of(conn, run_id)


@lru_cache(maxsize=16)
def framework_notes(framework_id: str) -> dict[str, tuple[str, ...]]:
    """Per indicator: what the built-in framework file marks unconfirmed about it (the whole
    framework, its domain, aspect, level scale or the indicator itself); empty when unknown."""
    try:
        framework = load_framework(framework_id)
    except FrameworkError:
        return {}
    notes: dict[str, tuple[str, ...]] = {}
    for domain in framework.domains:
        for aspect in domain.aspects:
            for ind in aspect.indicators:
                scale = (
                    framework.scales[ind.scale].unconfirmed
                    if ind.scale in framework.scales
                    else None
                )
                own = (ind.unconfirmed, scale, aspect.unconfirmed, domain.unconfirmed)
                notes[ind.id] = (*framework.unconfirmed, *(n for n in own if n))
    return notes


def unconfirmed(row: Mapping[str, Any], framework_id: str) -> str | None:
    """The rule's mark stored with the run, then the framework's, as one line (None: none)."""
    found = (row.get("unconfirmed"), *framework_notes(framework_id).get(row["indicator"], ()))
    return "; ".join(dict.fromkeys(n for n in found if n)) or None


def marked(rows: Iterable[Mapping[str, Any]], framework_id: str) -> list[dict[str, Any]]:
    return [{**r, "unconfirmed": unconfirmed(r, framework_id)} for r in rows]


def detail(run: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    extra = {k: run[k] for k in ("inventory_url", "assessments", "domains", "aspects")}
    indicators = [
        {k: v for k, v in r.items() if k not in ("run_id", "position")}
        for r in marked(rows, run["framework"])
    ]
    return {**summary(run), **extra, "indicators": indicators}


def _change(c: IndicatorChange) -> dict[str, Any]:
    return {
        "indicator": c.indicator, "name": c.name, "before": float(c.before),
        "after": float(c.after), "delta": float(c.delta), "source_before": c.source_before,
        "source_after": c.source_after,
    }  # fmt: skip


def comparison(conn: Connection, run_a: str, run_b: str) -> Comparison:
    a, rows_a = load(conn, run_a)
    b, rows_b = load(conn, run_b)
    return compare(a, rows_a, b, rows_b)


def comparison_json(c: Comparison) -> dict[str, Any]:
    return {
        "framework": c.framework, "run_a": c.run_a, "run_b": c.run_b,
        "index_a": float(c.index_a), "index_b": float(c.index_b),
        "index_delta": float(c.index_delta), "predicate_a": c.predicate_a,
        "predicate_b": c.predicate_b, "changed": [_change(x) for x in c.changed],
        "indicators": [_change(x) for x in c.indicators],
    }  # fmt: skip
