"""Properties of the index that hold for any levels of any built-in framework."""

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_scorer.frameworks import Framework, list_frameworks
from spbe_scorer.index import compute_index, predicate_for

FRAMEWORKS = {f.id: f for f in list_frameworks()}


def _level(framework: Framework) -> st.SearchStrategy[Fraction]:
    low, high = framework.levels.min, framework.levels.max
    if framework.levels.integer:
        return st.integers(low, high).map(Fraction)
    return st.fractions(low, high, max_denominator=100)


@st.composite
def framework_and_levels(draw: st.DrawFn) -> tuple[Framework, dict[str, Fraction]]:
    framework = FRAMEWORKS[draw(st.sampled_from(sorted(FRAMEWORKS)))]
    levels = {i.id: draw(_level(framework)) for i in framework.indicators}
    return framework, levels


@settings(max_examples=100)
@given(framework_and_levels(), st.data())
def test_raising_one_level_never_lowers_the_index(
    case: tuple[Framework, dict[str, Fraction]], data: st.DataObject
) -> None:
    framework, levels = case
    indicator = data.draw(st.sampled_from(sorted(levels)))
    higher = data.draw(_level(framework).filter(lambda v: v >= levels[indicator]))
    before = compute_index(framework, levels)
    after = compute_index(framework, {**levels, indicator: higher})
    assert after.index >= before.index
    assert all(x.index >= y.index for x, y in zip(after.aspects, before.aspects, strict=True))


@settings(max_examples=100)
@given(framework_and_levels())
def test_every_index_stays_within_the_level_range(
    case: tuple[Framework, dict[str, Fraction]],
) -> None:
    framework, levels = case
    result = compute_index(framework, levels)
    low, high = framework.levels.min, framework.levels.max
    for value in [result.index, *(g.index for g in result.domains + result.aspects)]:
        assert low <= value <= high


@settings(max_examples=100)
@given(framework_and_levels())
def test_nested_mean_equals_the_flat_weighted_sum(
    case: tuple[Framework, dict[str, Fraction]],
) -> None:
    framework, levels = case
    flat = sum(i.weight * levels[i.id] for i in framework.indicators) / 100
    assert compute_index(framework, levels).index == flat


@pytest.mark.parametrize("framework_id", sorted(FRAMEWORKS))
def test_predicate_matches_the_bands_at_their_edges(framework_id: str) -> None:
    framework = FRAMEWORKS[framework_id]
    epsilon = Fraction(1, 10**12)
    bands = sorted(framework.predicates, key=lambda band: band.lower)
    for below, above in pairwise(bands):
        assert predicate_for(framework, above.lower) == above.name
        assert predicate_for(framework, above.lower - epsilon) == below.name
    assert predicate_for(framework, bands[0].lower) == bands[0].name
    assert predicate_for(framework, bands[-1].upper) == bands[-1].name


@given(st.sampled_from(sorted(FRAMEWORKS)), st.data())
def test_predicate_is_the_band_that_holds_the_index(framework_id: str, data: st.DataObject) -> None:
    framework = FRAMEWORKS[framework_id]
    value = data.draw(st.fractions(framework.levels.min, framework.levels.max))
    name = predicate_for(framework, value)
    band = next(b for b in framework.predicates if b.name == name)
    assert band.lower <= value
    assert value < band.upper or value == framework.levels.max
