"""Our set evaluation and collector give exactly what Whoosh's own matchers and collector give.

The index has several segments and deleted documents (records updated after the build), as a
live index does; every kind of query :mod:`search.query` makes is compared with Whoosh. The
index keeps no positions, so for a phrase Whoosh is given its pairs (AND) and the hits are then
checked against the stored text with ``in``: the oracle in tests/support/whoosh_oracle.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import scoring
from whoosh.query import Every
from whoosh.searching import Searcher

from search.collect import collect
from search.indexing import build, put
from search.service import FACETS
from search.store import SearchStore
from tests.support import whoosh_oracle
from tests.support.whoosh_oracle import document, whoosh_query


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    rng = random.Random(11)
    store = SearchStore(Path(tmp_path_factory.mktemp("matching")))
    build(store, (document(rng, n).fields() for n in range(1, 301)))
    ix = store.open()
    put(ix, [document(rng, n) for n in range(301, 341)])  # a second segment
    put(ix, [document(rng, n, revision=2) for n in range(1, 400, 9)])  # updates: deletions, a third
    searcher = store.searcher()
    assert len(searcher.leaf_searchers()) >= 2 and searcher.reader().has_deletions()
    return searcher


def test_the_sets_are_whooshs(searcher: Searcher) -> None:
    whoosh_oracle.the_sets_are_whooshs(searcher)


def test_counts_facets_and_scores_are_whooshs(searcher: Searcher) -> None:
    whoosh_oracle.counts_facets_and_scores_are_whooshs(searcher)


def test_pages_and_newest_first(searcher: Searcher) -> None:
    query = whoosh_query("外包装破损")
    every = collect(searcher, query, facets=(), newest_first=True, page=1, per_page=1000).page
    dates = [searcher.stored_fields(n)["submitted_at"] for n in every]
    assert len(every) > 40 and dates == sorted(dates, reverse=True)
    pages = [collect(searcher, query, facets=(), newest_first=True, page=page, per_page=7).page
             for page in (1, 2, 3)]
    assert [n for page in pages for n in page] == every[:21]
    assert scoring.BM25F().B == 0.75 and scoring.BM25F().K1 == 1.2  # the parameters search.collect copies


def test_segments_are_separate_files(searcher: Searcher) -> None:
    """Whoosh copies a compound segment into memory whole when a searcher opens it (see
    search.indexing.COMPOUND_SEGMENTS): builds and updates must leave separate files."""
    folder = Path(searcher._ix.storage.folder)
    assert list(folder.glob("*.pst")) and not list(folder.glob("*.seg"))


def test_a_document_without_a_date_is_found_and_sorts_newest(tmp_path: Path) -> None:
    """SearchDocuments always carry a date, but an index written otherwise may lack one: the date
    column then holds Whoosh's default (2**64 - 1), which must not break the search."""
    rng = random.Random(3)
    fields = [document(rng, n).fields() for n in (1, 2, 3)]
    del fields[1]["submitted_at"]
    store = SearchStore(tmp_path)
    build(store, fields)
    searcher = store.searcher()
    newest = collect(searcher, Every(), facets=FACETS, newest_first=True, page=1, per_page=10)
    assert newest.total == 3 and newest.page[0] == 1  # the dateless one first, as Whoosh sorts it
    assert collect(searcher, Every(), facets=(), newest_first=False, page=1, per_page=10).total == 3
