"""Whole numbers as people and links write them: the one check every page, API and service
parameter uses before ``int()``.

``str.isdigit`` alone is not that check: it accepts "²" and other digit signs that ``int()``
refuses (a 500 for ``?page=²``), and any length (``int()`` of thousands of digits is slow, then
refused). Only ASCII digits count, and a number longer than any bound here is out of range.
"""

from __future__ import annotations

#: More digits than any bound we check against; longer is out of range without int().
MAX_DIGITS = 18


def whole_number(text: str | None, low: int = 0, high: int = 10**MAX_DIGITS - 1) -> int | None:
    """``text`` as a whole number from ``low`` to ``high`` (ASCII digits only), else None."""
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None
