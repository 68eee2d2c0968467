"""Two stored runs compared indicator by indicator."""

from fractions import Fraction

import pytest

from spbe_scorer.runs.compare import CompareError, compare


def run(run_id: str, index: str, framework: str = "spbe-2020") -> dict[str, str]:
    return {"id": run_id, "framework": framework, "index_exact": index, "predicate": "Cukup"}


def row(indicator: str, level: str, source: str = "derived") -> dict[str, str]:
    return {"indicator": indicator, "name": f"Indicator {indicator}", "level_exact": level,
            "source": source}  # fmt: skip


def test_changes_list_level_and_source_changes_only() -> None:
    a = [row("16", "2"), row("17", "2"), row("18", "1")]
    b = [row("16", "3"), row("17", "2", "override"), row("18", "1")]
    result = compare(run("a", "2"), a, run("b", "41/20"), b)
    assert [(c.indicator, c.before, c.after, c.delta) for c in result.changed] == [
        ("16", 2, 3, 1),
        ("17", 2, 2, 0),
    ]
    assert result.changed[1].source_after == "override"
    assert len(result.indicators) == 3
    assert result.index_delta == Fraction(1, 20)


def test_a_fall_is_a_negative_delta() -> None:
    result = compare(run("a", "3"), [row("I13", "63/50")], run("b", "2"), [row("I13", "1")])
    assert result.changed[0].delta == Fraction(-13, 50)
    assert result.index_delta == -1


def test_runs_of_two_frameworks_are_refused() -> None:
    with pytest.raises(CompareError, match="only runs of one framework"):
        compare(run("a", "2"), [], run("b", "2", "pemdi-2026"), [])
