"""The default assignment file: which evaluator OPD answers which indicator."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_scorer.frameworks import load_framework
from spbe_scorer.workspace import assignments
from spbe_scorer.workspace.assignments import AssignmentsError

EVALUATOR_OPD = {"BAPPERIDA", "SETDA", "INSPEKTORAT", "DISKOMINFOSATIK"}


@pytest.mark.parametrize("framework_id", ["spbe-2020", "pemdi-2026", "spbe-2018"])
def test_the_built_in_file_assigns_every_indicator_to_an_evaluator_opd(framework_id: str):
    framework = load_framework(framework_id)
    defaults = assignments.defaults_for(framework)
    assert set(defaults) == set(framework.indicator_by_id)
    assert set(defaults.values()) <= EVALUATOR_OPD


def test_the_built_in_defaults_follow_the_domains():
    defaults = assignments.defaults_for(load_framework("spbe-2020"))
    assert {defaults[str(n)] for n in range(1, 11)} == {"SETDA"}
    assert {defaults[str(n)] for n in range(11, 15)} == {"BAPPERIDA"}
    assert {defaults[str(n)] for n in range(29, 32)} == {"INSPEKTORAT"}
    assert defaults["16"] == "DISKOMINFOSATIK"


def test_an_unknown_indicator_is_refused_by_name(tmp_path: Path):
    path = tmp_path / "assignments.yaml"
    path.write_text('spbe-2020:\n  "16": DISKOMINFOSATIK\n  "48": SETDA\n', encoding="utf-8")
    with pytest.raises(AssignmentsError, match=r"spbe-2020 has no indicator '48'"):
        assignments.load(path)


def test_a_file_given_replaces_the_built_in_one(tmp_path: Path):
    path = tmp_path / "assignments.yaml"
    path.write_text("spbe-2020:\n  16: INSPEKTORAT\n", encoding="utf-8")  # 16 read as text
    assert assignments.defaults_for(load_framework("spbe-2020"), path) == {"16": "INSPEKTORAT"}
    assert assignments.defaults_for(load_framework("pemdi-2026"), path) == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("spbe-2020:\n  '16': diskominfo satik\n", "spbe-2020.16"),  # not an OPD code
        ("spbe-1999:\n  '1': SETDA\n", "unknown framework 'spbe-1999'"),
        ("spbe-2020: [1, 2]\n", "spbe-2020"),
        ("spbe-2020: {\n", "cannot be read as YAML"),
    ],
)
def test_a_broken_file_is_refused_with_its_problem(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "assignments.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssignmentsError, match=problem):
        assignments.load(path)


def test_a_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(AssignmentsError, match=r"missing\.yaml"):
        assignments.load(tmp_path / "missing.yaml")
