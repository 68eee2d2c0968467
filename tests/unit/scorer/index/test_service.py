"""Hand-worked index vectors for each framework, predicate edges and indicator errors."""

from fractions import Fraction

import pytest

from spbe_scorer.frameworks import Framework
from spbe_scorer.index import LevelsError, ProblemKind, compute_index, pairs_to_levels
from spbe_scorer.numbers import display


def _all(framework: Framework, level: object) -> dict[str, object]:
    return {i.id: level for i in framework.indicators}


def _set(
    levels: dict[str, object], ids: list[str] | list[int] | range, level: object
) -> dict[str, object]:
    return {**levels, **{str(i): level for i in ids}}


# --- PermenPANRB 59/2020 ---------------------------------------------------------------------


def test_spbe2020_all_threes_is_baik(spbe2020: Framework) -> None:
    # sum(w * 3) / 100 = 3 * 100 / 100 = 3.00 -> 2.6 <= 3 < 3.5 -> Baik
    result = compute_index(spbe2020, _all(spbe2020, 3))
    assert (result.index, result.predicate) == (3, "Baik")
    assert {d.index for d in result.domains} == {3}


def test_spbe2020_mixed_vector(spbe2020: Framework) -> None:
    levels = _all(spbe2020, 2)  # D1 (1-10) all 2 -> A1 = D1 = 2
    levels = _set(levels, range(11, 15), 4)  # A2 = 4
    levels = _set(levels, ["15", "16", "17", "18"], 1)
    levels.update({"16": 2, "17": 3, "18": 4})  # A3 = (1+2+3+4)/4 = 2.5
    levels = _set(levels, ["19", "20"], 5)  # A4 = 5
    levels = _set(levels, range(21, 29), 3)  # A5 = 3
    levels = _set(levels, ["29", "30", "31"], 1)  # A6 = 1
    levels = _set(levels, range(32, 42), 2)  # A7 = 2
    levels = _set(levels, ["42", "43", "44"], 5)
    levels = _set(levels, ["45", "46", "47"], 1)  # A8 = (5*3 + 1*3)/6 = 3
    result = compute_index(spbe2020, levels)
    aspects = {a.id: a.index for a in result.aspects}
    assert aspects == {
        "A1": 2, "A2": 4, "A3": Fraction(5, 2), "A4": 5,
        "A5": 3, "A6": 1, "A7": 2, "A8": 3,
    }  # fmt: skip
    domains = {d.id: d.index for d in result.domains}
    # D2 = (10*4 + 10*2.5 + 5*5)/25 = 90/25 = 3.6
    # D3 = (12*3 + 4.5*1)/16.5 = 40.5/16.5; D4 = (27.5*2 + 18*3)/45.5 = 109/45.5
    assert domains == {
        "D1": 2,
        "D2": Fraction(18, 5),
        "D3": Fraction(81, 33),
        "D4": Fraction(218, 91),
    }
    # index = (13*2 + 25*3.6 + 40.5 + 109)/100 = 265.5/100 = 2.655 -> Baik
    assert result.index == Fraction("2.655")
    assert result.predicate == "Baik"
    assert display(result.index) == "2.66"  # half up, on display only


@pytest.mark.parametrize(
    ("raised", "base", "expected", "predicate"),
    [
        # 11-18 weigh 8 * 2.5 = 20: all 4, those at 5 -> 4 + 20/100 = 4.2
        ([*range(11, 19)], 4, "4.2", "Memuaskan"),
        # 29-47 weigh 4.5 + 45.5 = 50: all 3, those at 4 -> 3.5
        ([*range(29, 48)], 3, "3.5", "Sangat Baik"),
        # 21-28 + 32-47 + 11 weigh 12 + 45.5 + 2.5 = 60: all 2, those at 3 -> 2.6
        ([*range(21, 29), *range(32, 48), 11], 2, "2.6", "Baik"),
        # all but 11-18 weigh 80: all 1, those at 2 -> 1.8
        ([*range(1, 11), *range(19, 48)], 1, "1.8", "Cukup"),
    ],
)
def test_spbe2020_band_edges_are_exact(
    spbe2020: Framework, raised: list[int], base: int, expected: str, predicate: str
) -> None:
    result = compute_index(spbe2020, _set(_all(spbe2020, base), raised, base + 1))
    assert result.index == Fraction(expected)
    assert result.predicate == predicate


def test_spbe2020_all_ones_and_all_fives(spbe2020: Framework) -> None:
    assert compute_index(spbe2020, _all(spbe2020, 1)).predicate == "Kurang"
    assert compute_index(spbe2020, _all(spbe2020, 5)).predicate == "Memuaskan"


def test_spbe2020_requires_whole_levels_one_to_five(spbe2020: Framework) -> None:
    levels = {**_all(spbe2020, 3), "4": "2.5", "9": 0, "31": 6, "40": "tiga"}
    with pytest.raises(LevelsError) as caught:
        compute_index(spbe2020, levels)
    found = {(p.indicator, p.kind) for p in caught.value.problems}
    assert found == {
        ("4", ProblemKind.NOT_INTEGER),
        ("9", ProblemKind.OUT_OF_RANGE),
        ("31", ProblemKind.OUT_OF_RANGE),
        ("40", ProblemKind.NOT_A_NUMBER),
    }


def test_every_problem_is_reported_at_once(spbe2020: Framework) -> None:
    levels = {**_all(spbe2020, 3), "48": 3, "I1": 2}
    del levels["16"], levels["17"]
    with pytest.raises(LevelsError) as caught:
        compute_index(spbe2020, levels)
    assert {(p.indicator, p.kind) for p in caught.value.problems} == {
        ("48", ProblemKind.UNKNOWN),
        ("I1", ProblemKind.UNKNOWN),
        ("16", ProblemKind.MISSING),
        ("17", ProblemKind.MISSING),
    }
    assert "indicator 16: no level given" in str(caught.value)


def test_an_indicator_given_twice_is_an_error() -> None:
    with pytest.raises(LevelsError, match="indicator 7: given twice"):
        pairs_to_levels([("7", 1), ("8", 2), ("7", 3)])


# --- PermenPANRB 5/2018 ----------------------------------------------------------------------


def test_spbe2018_all_threes_and_zero_floor(spbe2018: Framework) -> None:
    assert compute_index(spbe2018, _all(spbe2018, 3)).predicate == "Baik"
    zero = compute_index(spbe2018, _all(spbe2018, 0))
    assert (zero.index, zero.predicate) == (0, "Kurang")


def test_spbe2018_mixed_vector(spbe2018: Framework) -> None:
    levels = _all(spbe2018, 1)  # D1 (weight 17): all 1 -> 17
    levels = _set(levels, range(18, 25), 2)  # D2 (28): all 2 -> 56
    levels = _set(levels, range(25, 32), 3)  # A6 (35): all 3 -> 105
    levels = _set(levels, ["32", "33", "34"], 0)
    levels = _set(levels, ["35.1", "35.2", "35.3"], 5)  # A7: 3 * 20/6 * 5 = 50 -> A7 = 2.5
    result = compute_index(spbe2018, levels)
    assert {a.id: a.index for a in result.aspects}["A7"] == Fraction(5, 2)
    assert {d.id: d.index for d in result.domains}["D3"] == Fraction(155, 55)
    # (17 + 56 + 105 + 50) / 100 = 2.28 -> 1.8 <= 2.28 < 2.6 -> Cukup
    assert (result.index, result.predicate) == (Fraction("2.28"), "Cukup")


def test_spbe2018_has_no_single_indicator_35(spbe2018: Framework) -> None:
    levels = {**_all(spbe2018, 2), "35": 2}
    with pytest.raises(LevelsError, match="indicator 35: not an indicator of spbe-2018"):
        compute_index(spbe2018, levels)


# --- PermenPANRB 8/2026 (Indeks Pemdi) -------------------------------------------------------


def test_pemdi_mixed_fractional_vector_with_external_defaults(pemdi2026: Framework) -> None:
    levels = {
        "I1": 2, "I2": 3,  # A1 = 2.5
        "I3": "1.5", "I4": 1.5,  # A2 = 1.5
        "I6": 4, "I8": 2,  # I5, I7 missing -> 1: A3 = (5*1 + 3*4 + 3*1 + 4*2)/15 = 28/15
        "I9": 3, "I10": 3, "I11": 3, "I12": 3,  # A4 = 3
        "I13": "1.26", "I14": "2,74",  # A5 = (5*1.26 + 5*2.74)/10 = 2
        "I15": 4, "I16": 4, "I17": 4, "I18": 2,  # A6 = (16+16+16+6)/15 = 3.6
        "I19": 5, "I20": 4,  # A7 = (50 + 60)/25 = 4.4
    }  # fmt: skip
    result = compute_index(pemdi2026, levels)
    assert {a.id: a.index for a in result.aspects} == {
        "A1": Fraction(5, 2), "A2": Fraction(3, 2), "A3": Fraction(28, 15), "A4": 3,
        "A5": 2, "A6": Fraction(18, 5), "A7": Fraction(22, 5),
    }  # fmt: skip
    # (10*2.5 + 10*1.5 + 28 + 15*3 + 10*2 + 54 + 25*4.4)/100 = 297/100 = 2.97 -> Baik
    assert (result.index, result.predicate) == (Fraction("2.97"), "Baik")
    assert result.defaulted == ("I5", "I7")
    assert [d.index for d in result.domains] == [result.index]


@pytest.mark.parametrize(
    ("level", "predicate"),
    [("1", "Kurang"), ("1.49", "Kurang"), ("1.5", "Cukup"), ("2.5", "Baik"),
     ("3.5", "Sangat Baik"), ("3.99", "Sangat Baik"), ("4", "Memuaskan"), ("5", "Memuaskan")],
)  # fmt: skip
def test_pemdi_band_edges(pemdi2026: Framework, level: str, predicate: str) -> None:
    result = compute_index(pemdi2026, _all(pemdi2026, level))
    assert result.index == Fraction(level)
    assert result.predicate == predicate


def test_pemdi_external_index_given_is_used_and_null_is_default(pemdi2026: Framework) -> None:
    levels = {**_all(pemdi2026, 3), "I5": "4.5", "I18": None}
    result = compute_index(pemdi2026, levels)
    assert result.levels["I5"] == Fraction(9, 2)
    assert result.levels["I18"] == 1
    assert result.defaulted == ("I18",)


def test_pemdi_non_external_indicator_may_not_be_missing(pemdi2026: Framework) -> None:
    levels = _all(pemdi2026, 3)
    del levels["I13"]
    with pytest.raises(LevelsError, match="indicator I13: no level given"):
        compute_index(pemdi2026, levels)
