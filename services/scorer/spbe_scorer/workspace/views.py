"""Periods and worksheets as the API shows them. Pure: rows and framework in, JSON-ready out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from spbe_common.auth import Principal
from spbe_scorer.frameworks import Framework

from .access import may_edit, may_review
from .enums import WorksheetStatus

STATUSES = tuple(s.value for s in WorksheetStatus)


@dataclass(frozen=True)
class Place:
    """Where an indicator sits in its framework."""

    name: str
    domain: str
    aspect: str
    unconfirmed: str | None


def places(framework: Framework) -> dict[str, Place]:
    return {
        ind.id: Place(ind.name, d.id, a.id, ind.unconfirmed or a.unconfirmed or d.unconfirmed)
        for d in framework.domains
        for a in d.aspects
        for ind in a.indicators
    }


def number(exact: str | None) -> float | None:
    return None if exact is None else float(Fraction(exact))


def exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def difference(a: str | Fraction | None, b: str | Fraction | None) -> Fraction | None:
    """a - b, or None when either is missing."""
    return None if a is None or b is None else Fraction(a) - Fraction(b)


def progress(counts: Mapping[str, int]) -> dict[str, int]:
    found = {s: int(counts.get(s, 0)) for s in STATUSES}
    return {**found, "total": sum(found.values())}


def period_public(row: Mapping[str, Any], counts: Mapping[str, int]) -> dict[str, Any]:
    return {**row, "progress": progress(counts)}


def by_opd(worksheets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str | None, dict[str, int]] = {}
    for ws in worksheets:
        per = counts.setdefault(ws["opd"], {})
        per[ws["status"]] = per.get(ws["status"], 0) + 1
    ordered = sorted(counts, key=lambda opd: (opd is None, opd or ""))
    return [{"opd": opd, **progress(counts[opd])} for opd in ordered]


def criteria(framework: Framework, indicator: str) -> dict[str, str]:
    levels = range(framework.levels.min, framework.levels.max + 1)
    found = {str(n): framework.criterion(indicator, n) for n in levels}
    return {k: v for k, v in found.items() if v}


def proposal_public(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A run-indicator row of the period's latest run, when a rule derived a level."""
    if row is None or row["derived_level_exact"] is None:
        return None
    return {
        "run_id": row["run_id"], "level": number(row["derived_level_exact"]),
        "level_exact": row["derived_level_exact"], "criterion": row["criterion"],
        "evidence": row["evidence"], "missing": row["missing"],
        "missing_opds": row["missing_opds"], "unconfirmed": row["unconfirmed"],
    }  # fmt: skip


def worksheet_public(
    framework: Framework,
    period: Mapping[str, Any],
    row: Mapping[str, Any],
    principal: Principal,
    proposal: Mapping[str, Any] | None,
    documents: list[dict[str, Any]],
) -> dict[str, Any]:
    place = places(framework)[row["indicator"]]
    return {
        **{k: v for k, v in row.items() if k != "position"},
        "name": place.name, "domain": place.domain, "aspect": place.aspect,
        "level": number(row["level_exact"]), "asesor_level": number(row["asesor_level_exact"]),
        "criteria": criteria(framework, row["indicator"]), "unconfirmed": place.unconfirmed,
        "proposal": proposal_public(proposal), "documents": documents,
        "may_edit": may_edit(principal, period, row), "may_review": may_review(principal, period, row),
    }  # fmt: skip


def indicator_line(place: Place, row: Mapping[str, Any], documents: int) -> dict[str, Any]:
    """One indicator of the period overview."""
    diff = difference(row["asesor_level_exact"], row["level_exact"])
    return {
        "indicator": row["indicator"], "name": place.name, "domain": place.domain,
        "aspect": place.aspect, "opd": row["opd"], "accounts": row["accounts"],
        "status": row["status"], "level": number(row["level_exact"]),
        "level_exact": row["level_exact"], "level_source": row["level_source"],
        "asesor_level": number(row["asesor_level_exact"]),
        "asesor_level_exact": row["asesor_level_exact"],
        "difference": None if diff is None else float(diff), "documents": documents,
    }  # fmt: skip


def history_public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "action", "detail", "account", "at")}
