"""The 59/2020 -> Pemdi 2026 correspondence (data) and comparisons made through it."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
import yaml

from spbe_scorer.frameworks import Framework
from spbe_scorer.workspace import compare

MAPPING = compare.MAPPINGS_DIR / "spbe-2020-pemdi-2026.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(MAPPING.read_text(encoding="utf-8"))


def test_every_id_in_the_mapping_exists_in_its_framework(
    raw: dict, spbe2020: Framework, pemdi2026: Framework
) -> None:
    assert (raw["base"], raw["other"]) == ("spbe-2020", "pemdi-2026")
    pemdi_ids, spbe_ids = set(pemdi2026.indicator_by_id), set(spbe2020.indicator_by_id)
    assert set(raw["mapping"]) <= pemdi_ids
    assert {i for ids in raw["mapping"].values() for i in ids} <= spbe_ids
    assert set(raw["unmapped"]["pemdi-2026"]) <= pemdi_ids
    assert set(raw["unmapped"]["spbe-2020"]) <= spbe_ids


def test_every_indicator_is_either_mapped_or_listed_unmapped_once(
    raw: dict, spbe2020: Framework, pemdi2026: Framework
) -> None:
    pemdi = Counter([*raw["mapping"], *raw["unmapped"]["pemdi-2026"]])
    spbe = Counter(
        [*{i for ids in raw["mapping"].values() for i in ids}, *raw["unmapped"]["spbe-2020"]]
    )
    assert pemdi == Counter(list(pemdi2026.indicator_by_id))
    assert spbe == Counter(list(spbe2020.indicator_by_id))
    assert all(raw["mapping"].values()), "a mapped indicator names at least one counterpart"


def test_across_frameworks_the_base_level_is_the_mean_and_unmapped_are_listed(
    spbe2020: Framework, pemdi2026: Framework
) -> None:
    base = {i.id: Fraction(2) for i in spbe2020.indicators} | {"16": Fraction(4)}
    other = {"I14": Fraction(3, 2), "I9": None}
    result = compare.compare(spbe2020, base, pemdi2026, other)
    rows = {row["indicator"]: row for row in result["indicators"]}
    assert rows["I14"]["base_indicators"] == ["5", "6", "16", "17"]
    assert rows["I14"]["base_level"] == 2.5 and rows["I14"]["difference"] == -1.0
    assert rows["I9"]["other_level"] is None and rows["I9"]["difference"] is None
    assert [u["indicator"] for u in result["unmapped_other"]] == [
        "I6", "I7", "I8", "I11", "I12", "I18", "I19", "I20",
    ]  # fmt: skip
    assert [u["indicator"] for u in result["unmapped_base"]] == ["24", "26", "27"]
    assert result["mapping_unconfirmed"]


def test_the_mapping_reads_in_the_other_direction_too(
    spbe2020: Framework, pemdi2026: Framework
) -> None:
    result = compare.compare(pemdi2026, {"I14": Fraction(3)}, spbe2020, {"16": Fraction(1)})
    rows = {row["indicator"]: row for row in result["indicators"]}
    assert rows["16"]["base_indicators"] == ["I14"] and rows["16"]["difference"] == -2.0
    assert "24" in [u["indicator"] for u in result["unmapped_other"]]


def test_one_framework_compares_id_to_id_and_others_have_no_mapping(
    spbe2020: Framework, spbe2018: Framework
) -> None:
    result = compare.compare(spbe2020, {"1": Fraction(1)}, spbe2020, {"1": Fraction(3)})
    assert result["indicators"][0]["difference"] == 2.0 and not result["unmapped_base"]
    assert len(result["indicators"]) == 47
    with pytest.raises(compare.NoMapping):
        compare.compare(spbe2018, {}, spbe2020, {})
