"""Indicator levels -> aspect, domain and overall index and predicate. Pure, exact arithmetic.

Fractions, not floats: 1.3 or 20/6 weights and band edges such as 4.2 are exact, so an index that
is exactly 4.2 is Memuaskan and never 4.199999 (Sangat Baik). Round only on display.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from spbe_scorer.frameworks import Framework, Indicator
from spbe_scorer.numbers import to_fraction

from .enums import ProblemKind


@dataclass(frozen=True)
class IndicatorProblem:
    indicator: str
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"indicator {self.indicator}: {self.detail}"


class LevelsError(ValueError):
    """Every problem with the given levels at once, each naming its indicator."""

    def __init__(self, problems: list[IndicatorProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class GroupScore:
    id: str
    name: str
    weight: Fraction
    index: Fraction


@dataclass(frozen=True)
class IndexResult:
    framework: str
    index: Fraction
    predicate: str
    domains: tuple[GroupScore, ...]
    aspects: tuple[GroupScore, ...]
    levels: Mapping[str, Fraction]
    defaulted: tuple[str, ...]


def pairs_to_levels(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Indicator/value pairs (file rows) as a mapping; an indicator given twice is an error."""
    levels: dict[str, object] = {}
    twice: list[str] = []
    for key, value in pairs:
        if key in levels and key not in twice:
            twice.append(key)
        levels[key] = value
    if twice:
        raise LevelsError(
            [IndicatorProblem(k, ProblemKind.DUPLICATE, "given twice") for k in twice]
        )
    return levels


def _check_one(
    framework: Framework, indicator: Indicator, raw: object
) -> Fraction | IndicatorProblem:
    low, high = framework.levels.min, framework.levels.max
    try:
        value = to_fraction(raw)
    except ValueError as exc:
        return IndicatorProblem(indicator.id, ProblemKind.NOT_A_NUMBER, str(exc))
    if framework.levels.integer and value.denominator != 1:
        detail = f"level must be a whole number {low}..{high}, got {raw}"
        return IndicatorProblem(indicator.id, ProblemKind.NOT_INTEGER, detail)
    if not low <= value <= high:
        detail = f"level {raw} is outside {low}..{high}"
        return IndicatorProblem(indicator.id, ProblemKind.OUT_OF_RANGE, detail)
    return value


def check_levels(
    framework: Framework, values: Mapping[str, object]
) -> tuple[dict[str, Fraction], tuple[str, ...]]:
    """Validated levels of every indicator, and the external-index ones that took their default."""
    problems = [
        IndicatorProblem(key, ProblemKind.UNKNOWN, f"not an indicator of {framework.id}")
        for key in values
        if key not in framework.indicator_by_id
    ]
    levels: dict[str, Fraction] = {}
    defaulted: list[str] = []
    for indicator in framework.indicators:
        raw = values.get(indicator.id)
        if raw is None and indicator.external_index is not None:
            levels[indicator.id] = indicator.external_index.default
            defaulted.append(indicator.id)
        elif raw is None:
            problems.append(IndicatorProblem(indicator.id, ProblemKind.MISSING, "no level given"))
        else:
            checked = _check_one(framework, indicator, raw)
            if isinstance(checked, IndicatorProblem):
                problems.append(checked)
            else:
                levels[indicator.id] = checked
    if problems:
        raise LevelsError(problems)
    return levels, tuple(defaulted)


def _weighted_mean(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction:
    items = list(pairs)
    return sum((w * v for w, v in items), Fraction(0)) / sum((w for w, _ in items), Fraction(0))


def predicate_for(framework: Framework, index: Fraction) -> str:
    """The band holding `index`: lower edge inclusive, upper exclusive, top band closed."""
    bands = sorted(framework.predicates, key=lambda band: band.lower)
    for band in bands:
        if band.lower <= index < band.upper:
            return band.name
    if index == bands[-1].upper:
        return bands[-1].name
    raise ValueError(f"index {index} is outside the predicate bands of {framework.id}")


def compute_index(framework: Framework, values: Mapping[str, object]) -> IndexResult:
    """Nested weighted mean: indicators -> aspects -> domains -> index (framework-wide)."""
    levels, defaulted = check_levels(framework, values)
    aspects: list[GroupScore] = []
    domains: list[GroupScore] = []
    for domain in framework.domains:
        scores = [
            GroupScore(
                a.id,
                a.name,
                a.weight,
                _weighted_mean((i.weight, levels[i.id]) for i in a.indicators),
            )
            for a in domain.aspects
        ]
        aspects += scores
        index = _weighted_mean((s.weight, s.index) for s in scores)
        domains.append(GroupScore(domain.id, domain.name, domain.weight, index))
    total = _weighted_mean((d.weight, d.index) for d in domains)
    return IndexResult(
        framework=framework.id,
        index=total,
        predicate=predicate_for(framework, total),
        domains=tuple(domains),
        aspects=tuple(aspects),
        levels=levels,
        defaulted=defaulted,
    )
