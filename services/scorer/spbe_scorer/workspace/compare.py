"""Two evaluation periods compared indicator by indicator, also across frameworks.

Same framework: each indicator against itself. Different frameworks: through a correspondence
file in frameworks/data/mappings/ (`mapping`: an indicator of one framework -> the ids of the
other's that correspond); an indicator's base level is then the mean of its corresponding
indicators that have a level. Indicators no row pairs are listed as unmapped. Pure, but for
reading the mapping files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from spbe_scorer.frameworks import Framework

MAPPINGS_DIR = Path(__file__).parent.parent / "frameworks" / "data" / "mappings"


class NoMapping(ValueError):
    """The two frameworks have no correspondence file."""


@dataclass(frozen=True)
class Correspondence:
    """`pairs`: an indicator of `other` -> the indicators of `base` that correspond to it."""

    base: str
    other: str
    pairs: Mapping[str, tuple[str, ...]]
    unconfirmed: str | None = None


@cache
def mapping_files() -> tuple[Path, ...]:
    return tuple(sorted(MAPPINGS_DIR.glob("*.yaml")))


def read_mapping(path: Path) -> Correspondence:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = {str(k): tuple(str(i) for i in v) for k, v in (raw.get("mapping") or {}).items()}
    return Correspondence(raw["base"], raw["other"], pairs, raw.get("unconfirmed"))


def correspondence(base: Framework, other: Framework) -> Correspondence:
    """How the indicators of `other` map onto those of `base` (either direction of a file)."""
    if base.id == other.id:
        return Correspondence(base.id, other.id, {i.id: (i.id,) for i in other.indicators})
    for path in mapping_files():
        found = read_mapping(path)
        if (found.base, found.other) == (base.id, other.id):
            return found
        if (found.base, found.other) == (other.id, base.id):
            return _reversed(found)
    raise NoMapping(f"no correspondence between the indicators of {base.id} and {other.id}")


def _reversed(found: Correspondence) -> Correspondence:
    pairs: dict[str, list[str]] = {}
    for target, sources in found.pairs.items():
        for source in sources:
            pairs.setdefault(source, []).append(target)
    return Correspondence(
        found.other, found.base, {k: tuple(v) for k, v in pairs.items()}, found.unconfirmed
    )


def _level(exact: str | None) -> Fraction | None:
    return None if exact is None else Fraction(exact)


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _difference(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    return None if a is None or b is None else b - a


def indicator_rows(
    mapping: Correspondence,
    other: Framework,
    base_levels: Mapping[str, Fraction | None],
    other_levels: Mapping[str, Fraction | None],
) -> list[dict[str, Any]]:
    """One row per indicator of `other` that has a counterpart, in the framework's order."""
    rows = []
    for indicator in other.indicators:
        ids = mapping.pairs.get(indicator.id, ())
        if not ids:
            continue
        other_level = other_levels.get(indicator.id)
        base_level = _mean([lv for i in ids if (lv := base_levels.get(i)) is not None])
        rows.append({
            "indicator": indicator.id, "name": indicator.name,
            "other_level": _number(other_level), "base_indicators": list(ids),
            "base_level": _number(base_level),
            "difference": _number(_difference(base_level, other_level)),
        })  # fmt: skip
    return rows


def unmapped(framework: Framework, paired: set[str]) -> list[dict[str, str]]:
    return [{"indicator": i.id, "name": i.name} for i in framework.indicators if i.id not in paired]


def compare(
    base: Framework,
    base_levels: Mapping[str, Fraction | None],
    other: Framework,
    other_levels: Mapping[str, Fraction | None],
) -> dict[str, Any]:
    """The per-indicator part of a comparison: `indicators`, `unmapped_base`, `unmapped_other`,
    and the correspondence's unconfirmed note."""
    mapping = correspondence(base, other)
    rows = indicator_rows(mapping, other, base_levels, other_levels)
    paired_base = {i for row in rows for i in row["base_indicators"]}
    return {
        "indicators": rows,
        "unmapped_base": unmapped(base, paired_base),
        "unmapped_other": unmapped(other, {row["indicator"] for row in rows}),
        "mapping_unconfirmed": mapping.unconfirmed,
    }


def levels_of(worksheets: Sequence[Mapping[str, Any]]) -> dict[str, Fraction | None]:
    """The self-assessed level of each worksheet."""
    return {w["indicator"]: _level(w["level_exact"]) for w in worksheets}


def index_part(base: Fraction | None, other: Fraction | None) -> dict[str, float | None]:
    return {
        "base": _number(base), "other": _number(other),
        "difference": _number(_difference(base, other)),
    }  # fmt: skip
