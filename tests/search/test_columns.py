"""A segment's columns read whole (search.columns) hold what Whoosh's own readers give document
by document: facet values, dates (a missing one as the column's default), field lengths."""

from __future__ import annotations

import random
from pathlib import Path

from search.columns import DATE_FIELD, SegmentColumns
from search.indexing import build
from search.store import SearchStore
from tests.support.whoosh_oracle import document


def test_columns_read_whole_are_whooshs_document_by_document(tmp_path: Path) -> None:
    rng = random.Random(5)
    fields = [document(rng, n).fields() for n in range(1, 41)]
    del fields[-1]["submitted_at"]  # the last ones without a date or a state: the column's default
    del fields[-2]["submitted_at"]
    del fields[-1]["state"]
    fields[3]["cjk"] = []  # a document without Chinese text: no length stored
    store = SearchStore(tmp_path)
    build(store, fields)
    reader = store.searcher().reader()
    columns = SegmentColumns(reader)
    for name in ("form", "year", "state", "department", "code"):
        codes, labels = columns.facet(name)
        assert [labels[c] for c in codes] == list(reader.column_reader(name)), name
    assert columns.facet("state")[1][columns.facet("state")[0][-1]] == ""
    assert columns.dates().tolist() == list(reader.column_reader(DATE_FIELD, translate=False))
    assert columns.dates().tolist()[-2:] == [2**64 - 1] * 2
    for name in ("cjk", "words", "tail"):
        whoosh = [reader.doc_field_length(n, name, 1) or 1 for n in range(reader.doc_count_all())]
        assert columns.lengths(name).tolist() == whoosh, name
    assert columns.lengths("cjk")[3] == 1 and len(set(columns.lengths("cjk").tolist())) > 3
    assert columns.sorted("code")[0] == sorted(reader.column_reader("code"))
