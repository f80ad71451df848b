"""Where tests leave what a person may want to look at afterwards (PDFs, screenshots):
``test-artifacts/`` at the project's root, made when first needed."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)
