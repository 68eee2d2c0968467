"""The one strict reading of a whole number typed on a page (form field or address)."""

from __future__ import annotations

import pytest

from spbe_inventory.web.typed_input import whole_number


@pytest.mark.parametrize("text", ["2026", " 2026 ", "\t2026\n", "02026"])
def test_ascii_digits_with_surrounding_spaces_are_read(text: str) -> None:
    assert whole_number(text, 2000, 2100) == 2026


@pytest.mark.parametrize(
    "text",
    ["", " ", None, "²", "²⁰²⁶", "٢٠٢٦", "\uff12\uff10\uff12\uff16", "2026.0", "2_026", "+2026", "20 26", "1" * 30,
     "1" * 5000, "1999", "2101", "-2026"],
)  # fmt: skip
def test_anything_else_is_none_never_an_exception(text: str | None) -> None:
    assert whole_number(text, 2000, 2100) is None


def test_a_minus_is_read_where_the_range_allows_it() -> None:
    assert whole_number("-5", -10, 10) == -5
