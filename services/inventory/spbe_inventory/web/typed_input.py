"""What people type into a form field or a page address, read strictly.

`str.isdigit()` is no test for a number: it accepts '²' (which `int()` refuses) and '٣' (which
`int()` reads as 3). Every whole number a page reads goes through `whole_number`."""

from __future__ import annotations

import re

# ASCII digits with an optional minus; 18 digits fit any 64-bit integer and any field here.
WHOLE = re.compile(r"-?[0-9]{1,18}")


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """The integer `text` writes (surrounding spaces ignored) when it is within low..high;
    None for anything else: empty, another script's digits, signs, decimals, too long."""
    stripped = (text or "").strip()
    if not WHOLE.fullmatch(stripped):
        return None
    number = int(stripped)
    return number if low <= number <= high else None
