"""Reading our PDFs back the way a person would see them: their text with poppler's pdftotext,
their QR codes with poppler and zbar, what they paint where."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path


def text_of(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def qr_codes_on_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Render every page at 300 dpi with poppler and read the QR codes back with zbar."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "copy.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "copy.pdf"), str(tmp_path / "page")],
                   check=True)
    found = []
    for page in sorted(tmp_path.glob("page-*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True)
        found.append(out.stdout.strip())
    return found


#: A4 in points, and the body's margins from static/pdf/print.css (22mm 18mm 22mm 16mm).
MM = 72 / 25.4
A4 = (595.28, 841.89)
BODY = (16 * MM, 22 * MM, A4[0] - 18 * MM, A4[1] - 22 * MM)  # left, bottom, right, top


def painted_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float]]]:
    """The bounding box of every path painted on each page (stroked or filled: WeasyPrint draws
    borders and rules as lines), as (x0, y0, x1, y1) in PDF points, transformations applied.
    Only the page's own content stream: images and forms drawn from XObjects are not looked into."""
    import pikepdf

    pages = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            found: list[tuple[float, float, float, float]] = []
            matrix, saved = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
            path: list[tuple[float, float]] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                values = [float(v) for v in operands] if op in _GEOMETRY else []
                if op == "q":
                    saved.append(matrix)
                elif op == "Q":
                    matrix = saved.pop()
                elif op == "cm":
                    matrix = _times(tuple(values), matrix)
                elif op in ("m", "l"):
                    path.append(_apply(matrix, *values))
                elif op == "c":
                    path.append(_apply(matrix, *values[4:6]))
                elif op == "re":
                    x, y, w, h = values
                    path += [_apply(matrix, x, y), _apply(matrix, x + w, y + h)]
                elif op in _PAINT:
                    if path and op != "n":
                        xs, ys = [point[0] for point in path], [point[1] for point in path]
                        found.append((min(xs), min(ys), max(xs), max(ys)))
                    path = []
            pages.append(found)
    return pages


_GEOMETRY = {"cm", "m", "l", "c", "re"}
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}


def outside_the_body(pdf: bytes, tolerance: float = 0.5) -> list[tuple[int, tuple[float, ...]]]:
    """Paths painted at the height of the page's body but past its left or right margin
    (the header and footer boxes, the QR code in the corner, are above or below the body)."""
    left, bottom, right, top = BODY
    return [(number, tuple(round(v, 1) for v in box))
            for number, boxes in enumerate(painted_boxes(pdf), start=1) for box in boxes
            if bottom < (box[1] + box[3]) / 2 < top
            and (box[0] < left - tolerance or box[2] > right + tolerance)]


def _times(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float, float, float, float]:
    """The matrix ``a`` then ``b`` (PDF's row-vector convention: a new ``cm`` goes first)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
