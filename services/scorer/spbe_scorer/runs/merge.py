"""Derived proposals + manual assessments -> one level per indicator, with its source. Pure.

An evaluator's assessment wins over a derived level (source `override`); the derived level, its
evidence and criterion stay on the outcome next to it. An indicator with neither is scored at
the framework's minimum level and marked `not_assessed`, so a run always yields an index and
says plainly which levels nobody has evidenced; external-index indicators take the default the
framework gives them instead (`external_default`).

With `count_derived=False` (a run of an evaluation period) a derived level counts only through
an accepted worksheet: a proposal nobody accepted is scored at the minimum (`proposed`), its
evidence still on the outcome; an assessment that accepted the proposal shows as `derived`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from spbe_scorer.derivation import Evidence, Proposal
from spbe_scorer.frameworks import Framework, Indicator

from .enums import LevelSource


@dataclass(frozen=True)
class Assessment:
    """An evaluator's level for one indicator, as the run uses it."""

    id: int
    indicator: str
    level: Fraction
    justification: str
    evaluator: str
    assessed_on: date
    evidence_links: tuple[str, ...] = ()
    accepts_derived: bool = False  # a worksheet that accepted the derived proposal


@dataclass(frozen=True)
class Outcome:
    indicator: Indicator
    domain: str
    aspect: str
    level: Fraction
    source: LevelSource
    derived: Proposal | None = None
    assessment: Assessment | None = None

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.derived.evidence if self.derived else ()

    @property
    def criterion(self) -> str | None:
        return self.derived.criterion if self.derived else None

    @property
    def justification(self) -> str | None:
        return self.assessment.justification if self.assessment else None


def _accepted(derived: Proposal | None, assessment: Assessment) -> bool:
    return assessment.accepts_derived and derived is not None and derived.level == assessment.level


def _source(
    derived: Proposal | None, assessment: Assessment | None, external: bool, count_derived: bool
) -> LevelSource:
    if assessment is not None:
        if _accepted(derived, assessment):
            return LevelSource.DERIVED
        return LevelSource.OVERRIDE if derived is not None else LevelSource.MANUAL
    if derived is not None:
        return LevelSource.DERIVED if count_derived else LevelSource.PROPOSED
    return LevelSource.EXTERNAL_DEFAULT if external else LevelSource.NOT_ASSESSED


def _level(
    framework: Framework,
    indicator: Indicator,
    derived: Proposal | None,
    manual: Assessment | None,
    count_derived: bool,
) -> Fraction:
    if manual is not None:
        return manual.level
    if derived is not None and count_derived:
        return derived.level
    if indicator.external_index is not None:
        return indicator.external_index.default
    return Fraction(framework.levels.min)


def merge(
    framework: Framework,
    proposals: Iterable[Proposal],
    assessments: Iterable[Assessment],
    count_derived: bool = True,
) -> list[Outcome]:
    """One outcome per indicator of the framework, in framework order. `count_derived=False`:
    a derived level without an assessment does not count (see the module's note)."""
    derived = {p.indicator: p for p in proposals}
    manual = {a.indicator: a for a in assessments}
    outcomes = []
    for domain in framework.domains:
        for aspect in domain.aspects:
            for ind in aspect.indicators:
                d, m = derived.get(ind.id), manual.get(ind.id)
                source = _source(d, m, ind.external_index is not None, count_derived)
                level = _level(framework, ind, d, m, count_derived)
                outcomes.append(Outcome(ind, domain.id, aspect.id, level, source, d, m))
    return outcomes


def levels_of(outcomes: Iterable[Outcome]) -> Mapping[str, Fraction]:
    """The levels to compute the index from; external defaults are left to the framework."""
    return {
        o.indicator.id: o.level for o in outcomes if o.source is not LevelSource.EXTERNAL_DEFAULT
    }


def source_counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in LevelSource), 0)
    for outcome in outcomes:
        counts[outcome.source.value] += 1
    return counts
