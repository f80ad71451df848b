"""Form specifications changed for one test: a copy of a shipped spec file with one edit."""

from __future__ import annotations

from pathlib import Path

from forms.spec.library import SPEC_DIR


def spec_dir_with(tmp_path: Path, code: str, replace: tuple[str, str]) -> Path:
    """``tmp_path`` holding the spec ``code`` with ``replace`` (old, new) applied to its text."""
    text = (SPEC_DIR / f"{code}.toml").read_text(encoding="utf-8").replace(*replace)
    (tmp_path / f"{code}.toml").write_text(text, encoding="utf-8")
    return tmp_path
