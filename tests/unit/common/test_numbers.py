"""The one rounding of the figures people read: exact, half up, 2 decimals."""

from fractions import Fraction

import pytest

from spbe_common.numbers import decimal_comma, display


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Fraction(211, 200), "1.06"), ("211/200", "1.06"), (1.055, "1.06"), (1.045, "1.05"),
     ("0.965", "0.97"), (-0.965, "-0.97"), (1, "1.00")],
)  # fmt: skip
def test_half_up_on_the_exact_value_not_the_binary_float(value: object, shown: str) -> None:
    assert display(value) == shown  # type: ignore[arg-type]


def test_pages_write_a_decimal_comma() -> None:
    assert decimal_comma("211/200") == "1,06"
