"""Loading every spec file of a directory, collecting all problems before failing."""

from __future__ import annotations

from pathlib import Path

from forms.spec.model import FormSpec
from forms.spec.parser import SpecError, load_spec_file

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"


def load_directory(directory: Path = SPEC_DIR) -> tuple[dict[str, FormSpec], list[str]]:
    """All specs by code, and every problem found in any file (empty when all are valid)."""
    specs: dict[str, FormSpec] = {}
    problems: list[str] = []
    if not directory.is_dir():
        return specs, [f"{directory}: the spec directory does not exist"]
    for path in sorted(directory.glob("*.toml")):
        try:
            spec = load_spec_file(path)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        if spec.code in specs:
            problems.append(f"{path}: form code {spec.code} is declared twice")
        specs[spec.code] = spec
    if not specs and not problems:
        problems.append(f"{directory}: no *.toml form specs found")
    return specs, problems


def load_or_fail(directory: Path = SPEC_DIR) -> dict[str, FormSpec]:
    specs, problems = load_directory(directory)
    if problems:
        raise SpecError(problems)
    return specs
