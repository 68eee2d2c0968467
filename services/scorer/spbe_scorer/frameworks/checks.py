"""Consistency checks of a parsed framework. Pure: each returns the problems it found, as text."""

from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction
from itertools import pairwise

from .schemas import Band, Framework, Indicator

TOLERANCE = Fraction(1, 10**9)  # files may write 33.333333333 for 100/3

Check = Callable[[Framework], list[str]]


def _fmt(value: Fraction) -> str:
    return str(value) if value.denominator == 1 else f"{float(value):.10g}"


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(key for key, count in Counter(ids).items() if count > 1)


def check_unique_ids(framework: Framework) -> list[str]:
    groups = {
        "domain": [d.id for d in framework.domains],
        "aspect": [a.id for a in framework.aspects],
        "indicator": [i.id for i in framework.indicators],
    }
    return [
        f"{kind} id {dup!r} appears more than once (each must be in exactly one place)"
        for kind, ids in groups.items()
        for dup in _duplicates(ids)
    ]


def _sum_problem(what: str, parts: str, total: Fraction, expected: Fraction) -> list[str]:
    if abs(total - expected) <= TOLERANCE:
        return []
    return [f"{what}: {parts} weights add up to {_fmt(total)}, expected {_fmt(expected)}"]


def check_weights(framework: Framework) -> list[str]:
    problems = [
        f"{kind} {node.id}: weight must be positive, got {_fmt(node.weight)}"
        for kind, nodes in (
            ("domain", framework.domains),
            ("aspect", framework.aspects),
            ("indicator", framework.indicators),
        )
        for node in nodes
        if node.weight <= 0
    ]
    for domain in framework.domains:
        for aspect in domain.aspects:
            total = sum((i.weight for i in aspect.indicators), Fraction(0))
            problems += _sum_problem(f"aspect {aspect.id}", "indicator", total, aspect.weight)
        total = sum((a.weight for a in domain.aspects), Fraction(0))
        problems += _sum_problem(f"domain {domain.id}", "aspect", total, domain.weight)
    return problems + _sum_problem("framework", "domain", framework.total_weight, Fraction(100))


def check_levels(framework: Framework) -> list[str]:
    low, high = framework.levels.min, framework.levels.max
    if low >= high:
        return [f"levels: min ({low}) must be below max ({high})"]
    problems = []
    for name, scale in framework.scales.items():
        for level in (*scale.names, *scale.criteria):
            if not low <= level <= high:
                problems.append(f"scale {name}: level {level} is outside {low}..{high}")
    for indicator in framework.indicators:
        problems += _indicator_level_problems(framework, indicator)
    return problems


def _indicator_level_problems(framework: Framework, indicator: Indicator) -> list[str]:
    low, high = framework.levels.min, framework.levels.max
    where = f"indicator {indicator.id}"
    problems = [
        f"{where}: criterion for level {level} is outside {low}..{high}"
        for level in indicator.criteria
        if not low <= level <= high
    ]
    if indicator.scale not in framework.scales:
        problems.append(f"{where}: unknown scale {indicator.scale!r}")
    if indicator.external_index is not None:
        default = indicator.external_index.default
        if not low <= default <= high or (framework.levels.integer and default.denominator != 1):
            problems.append(f"{where}: external-index default {_fmt(default)} is not a level")
    return problems


def check_bands(framework: Framework) -> list[str]:
    """The bands must tile [min, max] exactly: no gap, no overlap, nothing outside."""
    bands = sorted(framework.predicates, key=lambda band: band.lower)
    low, high = Fraction(framework.levels.min), Fraction(framework.levels.max)
    problems = [
        f"predicate {b.name!r}: lower must be below upper" for b in bands if b.lower >= b.upper
    ]
    problems += [
        f"predicate name {n!r} appears more than once" for n in _duplicates(b.name for b in bands)
    ]
    if bands[0].lower != low:
        problems.append(
            f"predicates start at {_fmt(bands[0].lower)}, not at the lowest level {low}"
        )
    if bands[-1].upper != high:
        problems.append(
            f"predicates end at {_fmt(bands[-1].upper)}, not at the highest level {high}"
        )
    return problems + [_seam_problem(a, b) for a, b in pairwise(bands) if a.upper != b.lower]


def _seam_problem(below: Band, above: Band) -> str:
    kind = "gap" if below.upper < above.lower else "overlap"
    return (
        f"predicates {below.name!r} and {above.name!r}: {kind} between "
        f"{_fmt(below.upper)} and {_fmt(above.lower)}"
    )


CHECKS: tuple[Check, ...] = (check_unique_ids, check_weights, check_levels, check_bands)


def problems_of(framework: Framework) -> list[str]:
    return [problem for check in CHECKS for problem in check(framework)]
