"""A segment written by search.segments holds what Whoosh's own writer writes for the same
documents: the same terms with the same postings and statistics, stored fields, columns and
field lengths (read back through Whoosh's readers)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index
from whoosh.reading import IndexReader

from search import segments
from search.index_schema import make_schema
from search.indexing import build
from search.store import SearchStore
from tests.support.whoosh_oracle import document


def postings(reader: IndexReader, field: str, text: bytes) -> list[tuple[int, float, Any]]:
    matcher = reader.postings(field, text)
    found = []
    while matcher.is_active():
        # a posting without a value (Existence) reads as None from a block, b"" when inlined
        found.append((matcher.id(), matcher.weight(), matcher.value() or b""))
        matcher.next()
    return found


def term_stats(reader: IndexReader, field: str, text: bytes) -> tuple[Any, ...]:
    info = reader.term_info(field, text)
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())


def test_our_segment_reads_as_whooshs_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "BLOCK", 100)  # so that common terms take several blocks here
    rng = random.Random(5)
    documents = [document(rng, n) for n in range(1, 401)]
    store = SearchStore(tmp_path / "ours")
    build(store, documents)
    (tmp_path / "whoosh").mkdir()
    whoosh = index.create_in(str(tmp_path / "whoosh"), make_schema())
    writer = whoosh.writer()
    for d in documents:
        writer.add_document(**d.fields())
    writer.commit()
    with store.open().reader() as ours, whoosh.reader() as theirs:
        terms = list(theirs.all_terms())
        assert list(ours.all_terms()) == terms
        assert max(theirs.doc_frequency(f, t) for f, t in terms) > 2 * segments.BLOCK
        for field, text in terms:
            assert postings(ours, field, text) == postings(theirs, field, text), (field, text)
            assert term_stats(ours, field, text) == term_stats(theirs, field, text), (field, text)
        assert list(ours.all_stored_fields()) == list(theirs.all_stored_fields())
        for name in ("cjk", "words", "tail"):
            assert ours.field_length(name) == theirs.field_length(name)
            assert [ours.doc_field_length(n, name) for n in range(400)] == \
                   [theirs.doc_field_length(n, name) for n in range(400)]
        for name in ("form", "year", "state", "department", "code", "submitted_at", "cjk_text"):
            assert list(ours.column_reader(name)) == list(theirs.column_reader(name)), name
