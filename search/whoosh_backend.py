"""The Whoosh backend: an index of folders in the instance (:mod:`search.store`), the embedded
default. It compiles the backend-neutral queries (:mod:`search.backend`) to Whoosh's own, which
its numpy matching and collecting (:mod:`search.matching`, :mod:`search.collect`) evaluate, and
wraps the writing side (:mod:`search.indexing`). Nothing above it sees a Whoosh type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC
from typing import Any as AnyValue

from whoosh import query as wq

from search import indexing
from search.backend import (
    All,
    Any,
    DateSpan,
    Everything,
    Found,
    Nothing,
    Phrase,
    Prefix,
    Query,
    StoredHit,
    Term,
)
from search.collect import collect, count
from search.columns import DATE_FIELD
from search.indexing import SearchDocument
from search.query import within
from search.store import SearchStore


def to_whoosh(query: Query) -> wq.Query:
    """The Whoosh query that means ``query``: the same objects :mod:`search.query` built before
    the backends (so matching, scores and the differential tests against Whoosh are unchanged)."""
    match query:
        case Term(field, text):
            return wq.Term(field, text)
        case Prefix(field, text):
            return wq.Prefix(field, text)
        case Phrase(field, pairs):
            return wq.Phrase(field, list(pairs))
        case DateSpan(None, None):
            return wq.Every()
        case DateSpan(start, end):
            return wq.DateRange(DATE_FIELD, start, end)
        case All(()):
            return wq.Every()
        case All(parts):
            return wq.And([to_whoosh(part) for part in parts])
        case Any(parts):  # an empty Any matches nothing, as Whoosh's empty Or does
            return wq.Or([to_whoosh(part) for part in parts])
        case Everything():
            return wq.Every()
        case Nothing():
            return wq.NullQuery  # an instance: search.matching knows it by identity
    raise TypeError(f"not a search query: {query!r}")


class WhooshBackend:
    """:class:`search.backend.SearchBackend` over one instance's :class:`SearchStore`. Every
    write opens the current index (raising :class:`search.store.IndexUnavailable`, a
    :class:`search.backend.BackendUnavailable`, when there is none usable); every read uses this
    thread's kept searcher, refreshed."""

    name = "whoosh"

    def __init__(self, store: SearchStore) -> None:
        self.store = store

    def problem(self) -> str | None:
        return self.store.problem()

    def build(self, documents: Iterable[SearchDocument] | Iterable[indexing.Document],
              progress: Callable[[int], None] = lambda _n: None, *, processes: int = 1) -> int:
        return indexing.build(self.store, documents, progress, processes=processes)

    def put(self, documents: Iterable[SearchDocument]) -> int:
        return indexing.put(self.store.open(), documents)

    def remove(self, codes: Iterable[str]) -> int:
        return indexing.remove(self.store.open(), codes)

    def indexed_revisions(self) -> dict[str, int]:
        return indexing.indexed_revisions(self.store.open())

    def find(self, query: Query, *, scope: Query | None, facets: Sequence[str], newest_first: bool,
             page: int, per_page: int) -> Found:
        searcher = self.store.searcher()
        collected = collect(searcher, to_whoosh(within(query, scope)), facets=facets,
                            newest_first=newest_first, page=page, per_page=per_page)
        hits = tuple(stored_hit(searcher.stored_fields(docnum)) for docnum in collected.page)
        return Found(collected.total, collected.facets, hits)

    def count(self, query: Query) -> int:
        return count(self.store.searcher(), to_whoosh(query))


def stored_hit(fields: dict[str, AnyValue]) -> StoredHit:
    """A hit's stored fields as every backend gives them (the date aware, in UTC: Whoosh keeps
    it naive)."""
    return StoredHit(fields["code"], fields["form"], fields.get("title", ""), fields["state"],
                     fields["department"], fields["submitted_at"].replace(tzinfo=UTC), fields.get("body", ""))
