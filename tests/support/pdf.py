"""Reading our PDFs back the way a person would see them, with poppler's pdftotext."""

from __future__ import annotations

import subprocess


def text_of(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
