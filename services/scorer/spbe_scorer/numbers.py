"""Exact numbers: weights, levels and indices are Fractions, rounded only for display."""

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def to_fraction(value: object) -> Fraction:
    """The exact value a person wrote: 1.3 is 13/10 (not the binary float), "20/6" is 10/3."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise ValueError(f"not a number: {value!r}")


def _parse_text(text: str) -> Fraction:
    cleaned = text.strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # Indonesian spreadsheets write 1,26
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not a number: {text!r}") from None


def display(value: Fraction, places: int = 2) -> str:
    """Round half up to `places` decimals, for people; computation never uses this."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
