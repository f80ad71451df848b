"""The Whoosh backend as search.backend.SearchBackend describes it: documents in and out by code,
the revisions indexed, and a page of StoredHits (dates aware, in UTC; the body for snippets)
with totals and facet counts, within a scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from search.backend import FACETS, All, Any, Everything, Nothing, Prefix, StoredHit, Term
from search.indexing import SearchDocument
from search.query import text_query
from search.store import SearchStore
from search.whoosh_backend import WhooshBackend

MOMENT = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)


def document(n: int, department: str, text: str, revision: int = 1) -> SearchDocument:
    return SearchDocument(code=f"CP-2026-{n:06d}", form="CP", year=2026, state="submitted",
                          department=department, submitted_at=MOMENT + timedelta(hours=n),
                          revision=revision, title=f"投诉 {n}", texts=(text, "上海恒丰"))


def test_documents_in_found_and_out(tmp_path: Path) -> None:
    backend = WhooshBackend(SearchStore(tmp_path))
    assert backend.build([document(1, "CS", "外包装破损"), document(2, "SALES", "表面有划痕")]) == 2
    assert backend.put([document(3, "CS", "外包装破损，划痕"), document(1, "CS", "说明书缺失", 2)]) == 2
    assert backend.indexed_revisions() == {"CP-2026-000001": 2, "CP-2026-000002": 1, "CP-2026-000003": 1}

    found = backend.find(Everything(), scope=None, facets=FACETS, newest_first=True, page=1, per_page=2)
    assert found.total == 3 and found.facets["department"] == {"CS": 2, "SALES": 1}
    assert found.page == (
        StoredHit("CP-2026-000003", "CP", "投诉 3", "submitted", "CS", MOMENT + timedelta(hours=3),
                  "外包装破损，划痕 · 上海恒丰"),
        StoredHit("CP-2026-000002", "CP", "投诉 2", "submitted", "SALES", MOMENT + timedelta(hours=2),
                  "表面有划痕 · 上海恒丰"))
    assert found.page[0].submitted_at.tzinfo is not None

    scars = text_query("划痕")
    assert scars is not None
    scoped = backend.find(scars, scope=Term("department", "CS"), facets=("form",), newest_first=False,
                          page=1, per_page=10)
    assert [hit.code for hit in scoped.page] == ["CP-2026-000003"] and scoped.facets == {"form": {"CP": 1}}
    assert backend.count(scars) == 2 and backend.count(All((scars, Nothing()))) == 0
    assert backend.count(Any((Term("code", "CP-2026-000001"), Prefix("code", "CP-2026-00000")))) == 3

    assert backend.remove(["CP-2026-000002", "CP-2026-000009"]) == 1
    assert backend.count(scars) == 1
    assert set(backend.indexed_revisions()) == {"CP-2026-000001", "CP-2026-000003"}
