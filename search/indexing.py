"""Putting records into the index and taking them out: one record, or all of them (rebuild)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from whoosh.index import Index
from whoosh.writing import LockError

from search.analysis import IndexTerms, archival_term
from search.backend import IndexBusy
from search.parallel import Document, write_index
from search.reopen import close, reopened
from search.store import SearchStore

#: How long an indexing step waits for Whoosh's writer lock before giving up (and being retried).
WRITER_WAIT_SECONDS = 30.0
#: Segments are left as separate files. Whoosh reads a compound segment file by copying each
#: part it opens into memory (``BytesIO`` over the mapped file): 390 MB per open searcher at
#: 100,000 records, against 17 MB with separate files, at the same query speed.
COMPOUND_SEGMENTS = False


@dataclass(frozen=True)
class SearchDocument:
    """A record as the index sees it: plain data built by the forms package from the spec."""

    code: str
    form: str
    year: int
    state: str
    department: str
    submitted_at: datetime
    revision: int
    title: str
    texts: tuple[str, ...] = field(default=())
    #: The record's archival reference (档号) once filed: one ``words`` term, so the whole
    #: reference or its start finds it (search.analysis.archival_term).
    archival_code: str = ""

    def fields(self) -> dict[str, Any]:
        terms = IndexTerms()
        terms.add(self.code)
        for text in self.texts:
            terms.add(text)
        if self.archival_code:
            terms.words.append(archival_term(self.archival_code))
        return {"code": self.code, "form": self.form, "year": str(self.year), "state": self.state,
                "department": self.department, "submitted_at": naive_utc(self.submitted_at),
                "revision": self.revision, "title": self.title, "body": " · ".join(self.texts),
                **terms.fields()}


def naive_utc(instant: datetime) -> datetime:
    """Whoosh compares naive datetimes: the index keeps UTC without a zone."""
    return instant.astimezone(UTC).replace(tzinfo=None) if instant.tzinfo else instant


def _writer(ix: Index) -> Any:
    try:
        return ix.writer(timeout=WRITER_WAIT_SECONDS, delay=0.05, compound=COMPOUND_SEGMENTS)
    except LockError as exc:
        raise IndexBusy("the search index was locked by another writer for "
                        f"{WRITER_WAIT_SECONDS:.0f} s") from exc


def put(ix: Index, documents: Iterable[SearchDocument]) -> int:
    """Add or replace these records (by code); returns how many. A code given twice is put once,
    as its last document: Whoosh's ``update_document`` replaces only committed documents, so
    both would stay in the index, a record found twice."""
    writer = _writer(ix)
    count = 0
    try:
        for document in {document.code: document for document in documents}.values():
            writer.update_document(**document.fields())
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count


def remove(ix: Index, codes: Iterable[str]) -> int:
    writer = _writer(ix)
    removed = 0
    try:
        for code in codes:
            removed += writer.delete_by_term("code", code)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return removed


def indexed_revisions(ix: Index) -> dict[str, int]:
    """Code → revision of every indexed record (for ``search check``)."""
    searcher = reopened(ix, None)  # every file open at once: a commit may merge segments meanwhile
    try:
        return {fields["code"]: fields["revision"] for fields in searcher.all_stored_fields()}
    finally:
        close(searcher)


def build(store: SearchStore, documents: Iterable[Document],
          progress: Callable[[int], None] = lambda _n: None, *, processes: int = 1) -> int:
    """A new index from ``documents`` (``SearchDocument``s, or their :meth:`SearchDocument.fields`),
    made current only when complete; returns how many went in.

    The segments are written by :mod:`search.segments` (Whoosh's files, without Whoosh's
    per-posting writer), by ``processes`` writer processes that also do the analysis
    (:mod:`search.parallel`). Merging their segments afterwards would cost as much again, and
    searching a few segments costs next to nothing, so they are left as they are."""
    folder, ix = store.new_build()
    count = write_index(ix, documents, progress, processes)
    store.make_current(folder)
    return count
