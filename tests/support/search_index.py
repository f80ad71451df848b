"""A small search index written by hand, and what a kept searcher finds in it as records are
corrected, merged and first arrive.

The scenarios are the search store's own tests (tests/search/test_store.py) and are run again
with every posting kept in memory (tests/search/test_kept_postings.py): the same answers either
way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from search.indexing import SearchDocument, build, put
from search.query import text_query
from search.service import find
from search.store import SearchStore
from search.whoosh_backend import WhooshBackend


def document(n: int, text: str, revision: int = 1) -> SearchDocument:
    """Complaint CP-2026-``n`` of the CS department holding ``text``."""
    return SearchDocument(code=f"CP-2026-{n:06d}", form="CP", year=2026, state="submitted", department="CS",
                          submitted_at=datetime(2026, 3, 2, tzinfo=UTC), revision=revision, title="",
                          texts=(text,))


def found(store: SearchStore, text: str) -> tuple[int, list[str]]:
    """How many records the store's kept searcher finds for ``text``, and their codes, sorted."""
    query = text_query(text)
    assert query is not None
    result = find(WhooshBackend(store), query, scope=None, text=text, sort="relevance", page=1, per_page=100)
    return result.total, sorted(hit.code for hit in result.hits)


def a_corrected_record_is_found_by_its_new_text_only(folder: Path) -> None:
    store = SearchStore(folder)
    build(store, (document(n, "外包装破损" if n == 1 else "说明书缺失").fields() for n in range(1, 6)))
    assert found(store, "破损") == (1, ["CP-2026-000001"])  # this thread now keeps a searcher
    put(store.open(), [document(1, "表面有划痕", revision=2)])  # the correction, re-indexed
    assert found(store, "划痕") == (1, ["CP-2026-000001"])
    assert found(store, "破损") == (0, [])  # the old revision's hit is gone
    assert found(store, "CP-2026-") == (5, [f"CP-2026-{n:06d}" for n in range(1, 6)])


def a_kept_searcher_follows_merges(folder: Path) -> None:
    """Each update writes a small segment; Whoosh merges small segments now and then, and a
    merged-away segment must not come back in the refreshed searcher."""
    store = SearchStore(folder)
    build(store, (document(n, "说明书缺失").fields() for n in range(1, 4)))
    ix = store.open()
    for revision in range(2, 14):
        found(store, "缺失")
        put(ix, [document(1, f"第{revision}次更正", revision=revision)])
        put(ix, [document(100 + revision, "颜色不符")])
    assert found(store, "更正") == (1, ["CP-2026-000001"])
    assert found(store, "缺失") == (2, ["CP-2026-000002", "CP-2026-000003"])
    assert found(store, "颜色")[0] == 12
    assert store.searcher().doc_count() == 15


def an_empty_index_answers_every_query_and_its_kept_searcher_follows_the_first_records(
        folder: Path) -> None:
    """A fresh instance: the index is built empty, searched (a code prefix too, which reads a
    column an empty index does not have), then the first records arrive."""
    store = SearchStore(folder)
    build(store, [])
    assert found(store, "划痕") == (0, []) and found(store, "CP-2026-") == (0, [])
    put(store.open(), [document(1, "表面有划痕")])
    assert found(store, "划痕") == (1, ["CP-2026-000001"])  # the kept searcher, refreshed
    assert found(store, "CP-2026-") == (1, ["CP-2026-000001"])
