"""Large terms' postings are kept per process (search.postings): read once, answered the same
from then on, right across corrections, merges and rebuilds, and bounded in bytes."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh.reading import IndexReader

from search import postings
from search.indexing import build, put
from search.postings import KeptPostings, Postings
from search.store import SearchStore
from tests.support import search_index, whoosh_oracle
from tests.support.search_index import document, found

Reads = Counter[tuple[str, bytes]]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    """Every term kept (none is too small), in a fresh store; the terms read from the index."""
    monkeypatch.setattr(postings, "KEPT_FROM", 1)
    monkeypatch.setattr(postings, "KEPT", KeptPostings())
    counted: Reads = Counter()
    read = postings._read

    def counting(reader: IndexReader, field: str, text: str | bytes) -> Postings:
        counted[field, text.encode() if isinstance(text, str) else text] += 1
        return read(reader, field, text)
    monkeypatch.setattr(postings, "_read", counting)
    return counted


def test_a_term_is_read_once_and_then_answered_from_memory(tmp_path: Path, reads: Reads) -> None:
    store = SearchStore(tmp_path)
    build(store, (document(n, "外包装破损" if n % 2 else "说明书缺失").fields() for n in range(1, 7)))
    assert found(store, "破损") == (3, ["CP-2026-000001", "CP-2026-000003", "CP-2026-000005"])
    assert reads["cjk", "破损".encode()] == 1
    assert found(store, "破损") == (3, ["CP-2026-000001", "CP-2026-000003", "CP-2026-000005"])
    assert reads["cjk", "破损".encode()] == 1 and postings.KEPT.size > 0


def test_kept_postings_stay_right_across_corrections_merges_and_rebuilds(
        tmp_path: Path, reads: Reads) -> None:
    search_index.a_corrected_record_is_found_by_its_new_text_only(tmp_path / "corrected")
    search_index.a_kept_searcher_follows_merges(tmp_path / "merged")
    search_index.an_empty_index_answers_every_query_and_its_kept_searcher_follows_the_first_records(
        tmp_path / "empty")
    store = SearchStore(tmp_path / "rebuilt")
    build(store, (document(n, "外包装破损").fields() for n in range(1, 4)))
    assert found(store, "破损")[0] == 3
    build(store, (document(n, "外包装破损" if n == 9 else "颜色不符").fields() for n in range(5, 10)))
    assert found(store, "破损") == (1, ["CP-2026-000009"])  # the new build's segment, not the old one's
    assert max(reads.values()) > 1  # the same terms in other segments were read, each once there


def test_matching_counting_and_scoring_from_kept_postings_are_whooshs(
        tmp_path: Path, reads: Reads) -> None:
    rng = random.Random(11)
    store = SearchStore(tmp_path)
    build(store, (whoosh_oracle.document(rng, n).fields() for n in range(1, 301)))
    put(store.open(), [whoosh_oracle.document(rng, n) for n in range(301, 341)])
    put(store.open(), [whoosh_oracle.document(rng, n, revision=2) for n in range(1, 400, 9)])
    searcher = store.searcher()
    for _twice in range(2):  # read from the index, then answered from what was kept
        whoosh_oracle.the_sets_are_whooshs(searcher)
        whoosh_oracle.counts_facets_and_scores_are_whooshs(searcher)
    assert reads and postings.KEPT.size > 0


def kept(n: int) -> Postings:
    return Postings(np.arange(n, dtype=np.int64), np.ones(n))  # 16 bytes a posting


def test_the_store_drops_the_least_recently_used_beyond_its_limit() -> None:
    store = KeptPostings(limit=16 * 250)
    for name in ("a", "b", "c"):
        store.put(("folder", "segment", "cjk", name.encode()), kept(100))
    assert store.get(("folder", "segment", "cjk", b"a")) is None  # 300 postings > 250: the oldest left
    assert store.get(("folder", "segment", "cjk", b"b")) is not None  # now the most recently used
    store.put(("folder", "segment", "cjk", b"d"), kept(100))
    assert store.get(("folder", "segment", "cjk", b"c")) is None and store.size == 16 * 200
    store.put(("folder", "segment", "cjk", b"huge"), kept(251))  # larger than the whole store
    assert store.get(("folder", "segment", "cjk", b"huge")) is None and store.size == 16 * 200


def test_kept_arrays_cannot_be_changed_by_a_search(tmp_path: Path, reads: Reads) -> None:
    store = SearchStore(tmp_path)
    build(store, (document(n, "外包装破损").fields() for n in range(1, 4)))
    reader = store.searcher().reader()
    ids = postings.read_postings(reader, "cjk", "破损").ids
    with pytest.raises(ValueError, match="read-only"):
        ids[0] = 99
