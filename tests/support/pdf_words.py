"""Where a PDF's words are: poppler's ``pdftotext -bbox`` gives each word of each page with its
box (points, from the page's top left corner), as a reader's tool sees them."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tests.support.pdf import MM

_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    def inside(self, box: tuple[float, float, float, float], tolerance: float = 0.5) -> bool:
        """Inside ``box`` = (x0, top, x1, bottom), top-down points like the word's."""
        x0, top, x1, bottom = box
        return (self.x0 >= x0 - tolerance and self.top >= top - tolerance
                and self.x1 <= x1 + tolerance and self.bottom <= bottom + tolerance)

    def overlaps(self, other: Word) -> bool:
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.top < other.bottom and other.top < self.bottom)


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


def pages_of(pdf: bytes) -> list[Page]:
    """Every page's size and words."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    root = ET.fromstring(out)
    return [Page(float(page.get("width", 0)), float(page.get("height", 0)),
                 tuple(Word(word.text or "", float(word.get("xMin", 0)), float(word.get("yMin", 0)),
                            float(word.get("xMax", 0)), float(word.get("yMax", 0)))
                       for word in page.iter(f"{_XHTML}word")))
            for page in root.iter(f"{_XHTML}page")]


def mm(value: float) -> float:
    """Millimetres in points."""
    return value * MM
