"""Exact numbers: weights, levels and indices are Fractions, rounded only for display."""

import math
import re
from decimal import Decimal
from fractions import Fraction

from spbe_common.numbers import display

__all__ = ["MAX_TEXT", "display", "to_fraction"]

MAX_TEXT = 24  # a level or weight as text: "1,26", "2.655", "20/6"; never "1e999999999"
DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,12}(?:[.,][0-9]{0,9})?|[.,][0-9]{1,9})")
RATIO = re.compile(r"[+-]?[0-9]{1,9}/[0-9]{1,9}")
MAX_EXPONENT = 30  # a Decimal past 10^30 is no level or weight, and 10^huge costs minutes


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
        if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
            raise ValueError(f"not a finite number of a sensible size: {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise ValueError(f"not a number: {value!r}")


def _parse_text(text: str) -> Fraction:
    """A bounded grammar: a short decimal (one '.' or ',') or a ratio of small integers; no
    exponent, so no text can make Fraction() build a huge integer."""
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise ValueError(f"not a number: {_excerpt(text)} (longer than {MAX_TEXT} characters)")
    if DECIMAL.fullmatch(cleaned):
        return Fraction(cleaned.replace(",", "."))  # Indonesian spreadsheets write 1,26
    if RATIO.fullmatch(cleaned):
        numerator, denominator = cleaned.split("/")
        if int(denominator) != 0:
            return Fraction(int(numerator), int(denominator))
    raise ValueError(f"not a number: {_excerpt(text)}")


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…")
