"""Two stored runs compared indicator by indicator. Pure: works on the rows the repository reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


class CompareError(ValueError):
    """Runs that cannot be compared (different frameworks)."""


@dataclass(frozen=True)
class IndicatorChange:
    indicator: str
    name: str
    before: Fraction
    after: Fraction
    source_before: str
    source_after: str

    @property
    def delta(self) -> Fraction:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    framework: str
    run_a: str
    run_b: str
    index_a: Fraction
    index_b: Fraction
    predicate_a: str
    predicate_b: str
    indicators: tuple[IndicatorChange, ...]

    @property
    def index_delta(self) -> Fraction:
        return self.index_b - self.index_a

    @property
    def changed(self) -> tuple[IndicatorChange, ...]:
        return tuple(c for c in self.indicators if c.delta or c.source_before != c.source_after)


def compare(
    run_a: Mapping[str, Any],
    rows_a: Sequence[Mapping[str, Any]],
    run_b: Mapping[str, Any],
    rows_b: Sequence[Mapping[str, Any]],
) -> Comparison:
    """Run A (before) against run B (after): every indicator of the framework, in order."""
    if run_a["framework"] != run_b["framework"]:
        raise CompareError(
            f"run {run_a['id']} scores {run_a['framework']} and run {run_b['id']} scores "
            f"{run_b['framework']}: only runs of one framework can be compared"
        )
    after = {r["indicator"]: r for r in rows_b}
    changes = tuple(
        IndicatorChange(
            r["indicator"], r["name"], Fraction(r["level_exact"]),
            Fraction(after[r["indicator"]]["level_exact"]), r["source"],
            after[r["indicator"]]["source"],
        )
        for r in rows_a
        if r["indicator"] in after
    )  # fmt: skip
    return Comparison(
        run_a["framework"], run_a["id"], run_b["id"], Fraction(run_a["index_exact"]),
        Fraction(run_b["index_exact"]), run_a["predicate"], run_b["predicate"], changes,
    )  # fmt: skip
