"""Sizing the server-drawn bar charts' labels (templates/macros/charts.html).

SVG text does not wrap and the server cannot measure it, so labels were cut to 14 characters:
"Non-quality (…" on English pages. Instead the label column is made as wide as the widest
label is estimated to be (a CJK character is about one em, other characters a little over
half), up to a limit past which a label wraps onto more lines, so every label shows whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

FONT_PX = 13  # .chart-label in static/css/app.css
MAX_LABEL_PX = 280
LINE_PX = 16


def text_px(text: str, size: float = FONT_PX) -> float:
    """An upper estimate of ``text``'s width in pixels at ``size`` (no font metrics at hand)."""
    return sum(size if unicodedata.east_asian_width(c) in ("W", "F") else size * 0.58 for c in text)


def wrap(text: str, limit: float = MAX_LABEL_PX) -> list[str]:
    """``text`` in lines of at most ``limit`` px: at spaces where there are any, else anywhere
    (Chinese has no spaces and may break between any two characters)."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if line and text_px((line + piece).rstrip()) > limit:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines or [""]


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for c in text:
        wide = unicodedata.east_asian_width(c) in ("W", "F")
        if pieces and not wide and not pieces[-1].endswith(" ") and not _wide(pieces[-1][-1]):
            pieces[-1] += c
        else:
            pieces.append(c)
    return pieces


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


@dataclass(frozen=True)
class BarLayout:
    label_w: int  # the label column, labels right-aligned at label_w - 8
    row_h: int
    rows: tuple[tuple[tuple[str, ...], int], ...]  # (label lines, count)


def bar_layout(rows: Sequence[tuple[str, int]]) -> BarLayout:
    """Label column width, row height and each label's lines for the bar chart of ``rows``."""
    wrapped = tuple((tuple(wrap(str(label))), count) for label, count in rows)
    widest = max((text_px(line) for lines, _count in wrapped for line in lines), default=0)
    lines = max((len(lines) for lines, _count in wrapped), default=1)
    return BarLayout(int(max(widest, 60)) + 16, LINE_PX * lines + 10, wrapped)
