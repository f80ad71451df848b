"""The database against the index: what is missing, stale (an older revision) or orphaned."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from search.backend import SearchBackend
from search.ports import DocumentSource


@dataclass(frozen=True)
class Report:
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    orphaned: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def compare(database: dict[str, int], index: dict[str, int]) -> Report:
    return Report(
        missing=tuple(sorted(set(database) - set(index))),
        stale=tuple(sorted(code for code, revision in database.items()
                           if code in index and index[code] != revision)),
        orphaned=tuple(sorted(set(index) - set(database))))


def check(backend: SearchBackend, source: DocumentSource) -> Report:
    """Raises :class:`search.backend.BackendUnavailable` when there is no usable index."""
    return compare(source.revisions(), backend.indexed_revisions())


def repair(backend: SearchBackend, source: DocumentSource, report: Report,
           progress: Callable[[int], None] = lambda _n: None) -> int:
    """Index the missing and stale records and remove the orphans; returns how many changed."""
    wanted = [*report.missing, *report.stale]
    changed = 0
    for chunk in _chunks(wanted, 500):
        changed += backend.put(source.documents(chunk))
        progress(len(chunk))
    if report.orphaned:
        changed += backend.remove(report.orphaned)
        progress(len(report.orphaned))
    return changed


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
