"""Levels and weights as text: a bounded grammar, so no input makes Fraction() run for minutes."""

import time
from decimal import Decimal
from fractions import Fraction

import pytest

from spbe_scorer.numbers import to_fraction


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), (" 1,26 ", Fraction(63, 50)), ("2.655", Fraction(531, 200)), ("20/6", Fraction(10, 3)),
     ("-1", -1), (".5", Fraction(1, 2)), ("1.50", Fraction(3, 2))],
)  # fmt: skip
def test_short_decimals_and_simple_ratios_are_read_exactly(text: str, value: Fraction) -> None:
    assert to_fraction(text) == value


@pytest.mark.parametrize(
    "text",
    ["1e999999999", "9" * 5000, "1/0", "1,2,3", "1.2,3", "", "nan", "inf", "1_000", "0x10",
     "\u0663", "1/2/3", "1e3"],
)  # fmt: skip
def test_anything_else_is_refused_at_once(text: str) -> None:
    clock = time.perf_counter()
    with pytest.raises(ValueError, match="not a number"):
        to_fraction(text)
    assert time.perf_counter() - clock < 0.01


def test_a_decimal_of_absurd_size_is_refused_at_once() -> None:
    clock = time.perf_counter()
    with pytest.raises(ValueError, match="sensible size"):
        to_fraction(Decimal("1e999999999"))
    assert time.perf_counter() - clock < 0.01
