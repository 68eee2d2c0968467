"""The one rounding of levels and indices shown to people (pages and workbooks): the exact
value, half up, to 2 decimals, as the official index is published (1.055 -> 1.06)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PLACES = 2


def exact(value: Fraction | int | float | str) -> Fraction:
    """A scorer number ('211/200', '1.055', 1.055, 2) exactly; a float by its shortest text,
    so the JSON 1.055 is 1055/1000, not the binary 1.05499..."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(str(value)) if isinstance(value, str) else Fraction(value)


def rounded(value: Fraction | int | float | str, places: int = PLACES) -> Decimal:
    """Half up to `places` decimals; computation never uses this, only what people read."""
    fraction = exact(value)
    quotient = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display(value: Fraction | int | float | str, places: int = PLACES) -> str:
    """The rounded value as text with a decimal point ('1.06'), the API's index_display."""
    return str(rounded(value, places))


def decimal_comma(value: Fraction | int | float | str, places: int = PLACES) -> str:
    """The rounded value as an Indonesian page shows it: '1,06'."""
    return display(value, places).replace(".", ",")
