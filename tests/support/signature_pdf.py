"""Reading a drawn signature back from our PDFs: WeasyPrint draws the SVG's paths as PDF path
operators, in the page's content stream or in a form XObject it draws."""

from __future__ import annotations

import io

import pikepdf


def longest_polyline(pdf: bytes) -> int:
    """The most line segments in one painted path on any page (content streams and the forms
    they draw). A signature's stroke of n points is one path of n - 1 segments; a copy's own
    lines (borders, rules, the QR code's modules) are paths of one to four."""
    best = 0
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            best = max(best, _longest(page.obj, set()))
    return best


def _longest(holder: pikepdf.Object, seen: set[tuple[int, int]]) -> int:
    best, run = 0, 0
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        if op == "l":
            run += 1
        elif op in ("S", "s", "B", "b", "f", "n", "m"):
            best, run = max(best, run), 0
        elif op == "Do":
            best = max(best, _in_xobject(holder, operands[0], seen))
    return max(best, run)


def _in_xobject(holder: pikepdf.Object, name: pikepdf.Name, seen: set[tuple[int, int]]) -> int:
    form = holder.get("/Resources", {}).get("/XObject", {}).get(name)
    if form is None or form.get("/Subtype") != "/Form" or form.objgen in seen:
        return 0
    seen.add(form.objgen)
    return _longest(form, seen)
