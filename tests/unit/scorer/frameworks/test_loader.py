"""The built-in framework files, and the clear failures of broken ones."""

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from spbe_scorer.frameworks import (
    FrameworkError,
    FrameworkFileError,
    UnknownFrameworkError,
    list_frameworks,
    load_framework,
    read_framework,
)
from spbe_scorer.frameworks.loader import BUILTIN_DIR


def _raw(framework_id: str) -> dict[str, Any]:
    return yaml.safe_load((BUILTIN_DIR / f"{framework_id}.yaml").read_text())


def _write(directory: Path, raw: dict[str, Any], name: str = "custom.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        read_framework(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_builtin_frameworks_are_listed_with_their_shapes() -> None:
    shapes = {
        f.id: (len(f.domains), len(f.aspects), len(f.indicators), f.levels.min, f.levels.integer)
        for f in list_frameworks()
    }
    assert shapes == {
        "spbe-2018": (3, 7, 37, 0, True),
        "spbe-2020": (4, 8, 47, 1, True),
        "pemdi-2026": (1, 7, 20, 1, False),
    }


def test_spbe2020_weights_follow_the_reference() -> None:
    framework = load_framework("spbe-2020")
    by_id = framework.indicator_by_id
    assert by_id["1"].weight == Fraction("1.3")
    assert by_id["35"].weight == Fraction("2.75")
    assert by_id["47"].weight == 3
    assert {d.id: d.weight for d in framework.domains} == {
        "D1": 13,
        "D2": 25,
        "D3": Fraction("16.5"),
        "D4": Fraction("45.5"),
    }


def test_spbe2018_splits_indicator_35_into_three_rows_of_twenty_sixths() -> None:
    framework = load_framework("spbe-2018")
    a7 = framework.aspects[-1]
    assert [i.id for i in a7.indicators] == ["32", "33", "34", "35.1", "35.2", "35.3"]
    assert {i.weight for i in a7.indicators} == {Fraction(20, 6)}
    assert any("bobot" in note for note in framework.unconfirmed)


def test_pemdi_marks_external_indices_and_unconfirmed_status() -> None:
    framework = load_framework("pemdi-2026")
    external = {i.id: i.external_index.default for i in framework.indicators if i.external_index}
    assert external == {"I5": 1, "I6": 1, "I7": 1, "I18": 1}
    assert framework.unconfirmed
    assert framework.scales["pemdi"].unconfirmed


def test_level_criteria_and_names_come_from_the_file() -> None:
    framework = load_framework("spbe-2020")
    assert framework.level_name("16", 3) == "Terdefinisi"
    assert framework.level_name("40", 4) == "Kolaborasi"
    assert "digunakan oleh seluruh OPD" in (framework.criterion("16", 3) or "")
    assert "eksternal bersertifikat" in (framework.criterion("31", 4) or "")
    assert "Transaksi" in (framework.criterion("33", 3) or "")


def test_broken_aspect_weight_is_named(tmp_path: Path) -> None:
    raw = _raw("spbe-2020")
    raw["domains"][0]["aspects"][0]["indicators"][0]["weight"] = "1.4"
    problems = _problems(_write(tmp_path, raw))
    assert "aspect A1: indicator weights add up to 13.1, expected 13" in problems


def test_broken_total_weight_is_named(tmp_path: Path) -> None:
    raw = _raw("pemdi-2026")
    aspect = raw["domains"][0]["aspects"][6]
    aspect["weight"] = 26
    aspect["indicators"][0]["weight"] = 11
    raw["domains"][0]["weight"] = 101
    assert _problems(_write(tmp_path, raw)) == [
        "framework: domain weights add up to 101, expected 100"
    ]


def test_duplicate_indicator_is_named(tmp_path: Path) -> None:
    raw = _raw("spbe-2020")
    a2 = raw["domains"][1]["aspects"][0]["indicators"]
    a2[0] = {**copy.deepcopy(a2[0]), "id": "1"}  # indicator 1 now also sits in A2
    problems = _problems(_write(tmp_path, raw))
    assert "indicator id '1' appears more than once (each must be in exactly one place)" in problems


def test_gap_and_overlap_in_bands_are_named(tmp_path: Path) -> None:
    raw = _raw("spbe-2020")
    raw["predicates"][1]["upper"] = "2.5"  # Cukup stops before Baik starts
    raw["predicates"][3]["upper"] = "4.3"  # Sangat Baik runs into Memuaskan
    problems = _problems(_write(tmp_path, raw))
    assert "predicates 'Cukup' and 'Baik': gap between 2.5 and 2.6" in problems
    assert "predicates 'Sangat Baik' and 'Memuaskan': overlap between 4.3 and 4.2" in problems


def test_bands_must_reach_both_ends_of_the_level_range(tmp_path: Path) -> None:
    raw = _raw("spbe-2018")
    raw["predicates"][0]["lower"] = 1
    raw["predicates"][-1]["upper"] = "4.9"
    problems = _problems(_write(tmp_path, raw))
    assert "predicates start at 1, not at the lowest level 0" in problems
    assert "predicates end at 4.9, not at the highest level 5" in problems


def test_unknown_scale_and_out_of_range_default_are_named(tmp_path: Path) -> None:
    raw = _raw("pemdi-2026")
    indicators = raw["domains"][0]["aspects"][2]["indicators"]
    indicators[0]["scale"] = "nope"
    indicators[1]["external_index"] = {"default": 0}
    problems = _problems(_write(tmp_path, raw))
    assert "indicator I5: unknown scale 'nope'" in problems
    assert "indicator I6: external-index default 0 is not a level" in problems


def test_schema_errors_name_the_field(tmp_path: Path) -> None:
    raw = _raw("spbe-2020")
    del raw["domains"][0]["aspects"][0]["indicators"][2]["weight"]
    raw["domains"][0]["aspects"][0]["indicators"][3]["weight"] = "a lot"
    problems = _problems(_write(tmp_path, raw))
    assert "domains.0.aspects.0.indicators.2.weight: Field required" in problems
    assert any(p.startswith("domains.0.aspects.0.indicators.3.weight:") for p in problems)


def test_unreadable_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    assert _problems(path)[0].startswith("cannot be read as YAML")


def test_officer_drops_a_framework_in_the_extra_directory(tmp_path: Path) -> None:
    raw = _raw("spbe-2020")
    raw["id"] = "spbe-2020-kabupaten"
    _write(tmp_path, raw, "kabupaten.yml")
    assert "spbe-2020-kabupaten" in {f.id for f in list_frameworks(tmp_path)}
    assert load_framework("spbe-2020-kabupaten", tmp_path).title == "Indeks SPBE"


def test_extra_file_may_not_reuse_a_builtin_id(tmp_path: Path) -> None:
    path = _write(tmp_path, _raw("spbe-2020"))
    with pytest.raises(FrameworkFileError) as caught:
        list_frameworks(tmp_path)
    assert caught.value.path == path
    assert "id 'spbe-2020' is already used by" in caught.value.problems[0]


def test_unknown_framework_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFrameworkError, match="known: pemdi-2026, spbe-2018, spbe-2020"):
        load_framework("spbe-2030")


def test_missing_extra_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="is not a directory"):
        list_frameworks(tmp_path / "absent")
