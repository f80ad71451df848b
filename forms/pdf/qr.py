"""QR codes for printed copies, as inline SVG (vector, crisp at any size, nothing to fetch)."""

from __future__ import annotations

import segno


def qr_svg(text: str) -> str:
    """An ``<svg>`` element encoding ``text``; sized by CSS (only a viewBox is set).

    Error correction M (15%) survives a folded or stamped paper copy; the quiet zone is the
    standard four modules so phone cameras find it in a page margin.
    """
    code = segno.make(text, error="m", micro=False)
    return code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", svgclass="qr")
