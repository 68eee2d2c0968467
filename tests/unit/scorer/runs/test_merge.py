"""Merging derived proposals with manual assessments, and the index it yields."""

from datetime import date
from fractions import Fraction

from spbe_scorer.derivation import Evidence, Proposal
from spbe_scorer.frameworks import Framework
from spbe_scorer.index import compute_index
from spbe_scorer.runs.enums import LevelSource
from spbe_scorer.runs.merge import Assessment, Outcome, levels_of, merge, source_counts


def proposal(indicator: str, level: int) -> Proposal:
    evidence = (Evidence("site", "s1", "on the intra network"),)
    return Proposal(indicator, Fraction(level), f"criterion {level}", evidence, ("next",))


def assessment(indicator: str, level: Fraction | int, aid: int = 1) -> Assessment:
    return Assessment(aid, indicator, Fraction(level), "BA 12/2026", "Inspektorat",
                      date(2026, 5, 1), ("https://example.test/ba.pdf",))  # fmt: skip


def by_id(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {o.indicator.id: o for o in outcomes}


def test_an_override_wins_and_keeps_the_derived_proposal(spbe2020: Framework) -> None:
    outcomes = by_id(merge(spbe2020, [proposal("17", 2)], [assessment("17", 4)]))
    o = outcomes["17"]
    assert (o.level, o.source) == (4, LevelSource.OVERRIDE)
    assert o.derived is not None and o.derived.level == 2
    assert o.evidence[0].id == "s1" and o.criterion == "criterion 2"
    assert o.justification == "BA 12/2026"


def test_sources_of_each_kind(spbe2020: Framework) -> None:
    outcomes = by_id(merge(spbe2020, [proposal("16", 3)], [assessment("1", 5)]))
    assert (outcomes["16"].level, outcomes["16"].source) == (3, LevelSource.DERIVED)
    assert (outcomes["1"].level, outcomes["1"].source) == (5, LevelSource.MANUAL)
    assert (outcomes["2"].level, outcomes["2"].source) == (1, LevelSource.NOT_ASSESSED)
    assert outcomes["2"].justification is None and outcomes["2"].evidence == ()


def test_outcomes_follow_the_framework_order_and_cover_every_indicator(
    spbe2020: Framework,
) -> None:
    outcomes = merge(spbe2020, [proposal("47", 2), proposal("15", 3)], [])
    assert [o.indicator.id for o in outcomes] == [i.id for i in spbe2020.indicators]
    assert (outcomes[0].domain, outcomes[0].aspect) == ("D1", "A1")


def test_not_assessed_indicators_score_the_minimum(spbe2020: Framework) -> None:
    outcomes = merge(spbe2020, [], [])
    assert source_counts(outcomes)["not_assessed"] == 47
    assert compute_index(spbe2020, levels_of(outcomes)).index == 1


def test_external_index_indicators_take_the_framework_default(pemdi2026: Framework) -> None:
    outcomes = by_id(merge(pemdi2026, [], [assessment("I1", Fraction(63, 50))]))
    assert outcomes["I5"].source is LevelSource.EXTERNAL_DEFAULT
    levels = levels_of(outcomes.values())
    assert "I5" not in levels and levels["I1"] == Fraction(63, 50)
    result = compute_index(pemdi2026, levels)
    assert "I5" in result.defaulted


def test_an_override_raises_the_index_by_its_weight(spbe2020: Framework) -> None:
    derived = merge(spbe2020, [proposal("17", 2)], [])
    overridden = merge(spbe2020, [proposal("17", 2)], [assessment("17", 4)])
    before = compute_index(spbe2020, levels_of(derived)).index
    after = compute_index(spbe2020, levels_of(overridden)).index
    assert after - before == Fraction(2) * Fraction(25, 10) / 100  # weight 2.50 of 100
