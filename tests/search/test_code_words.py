"""A code typed in a search matches text holding that code, never text holding its pieces apart
(the 100,000-record walk of issue 16: a clerk searching CP-2025-000123, a record outside their
department, was shown AR-2025-000123, an access request for CP-2024-000001 filed in 2025)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from search.analysis import code_terms
from search.indexing import build
from search.query import record_code, text_query
from search.store import SearchStore
from search.whoosh_backend import to_whoosh
from tests.support.search_index import document, found


def test_a_code_finds_the_text_naming_it_and_not_its_pieces_apart(tmp_path: Path) -> None:
    store = SearchStore(tmp_path)
    build(store, (d.fields() for d in (
        document(1, "申请调阅 CP-2024-000001，2025 年第 000123 号"),  # every piece, never together
        document(2, "申请调阅CP-2025-000123号的处理结果"),  # the code, Chinese touching it
        document(3, "订单 SO-2026-88417 外包装破损"),
    )))
    assert found(store, "CP-2025-000123") == (1, ["CP-2026-000002"])
    assert found(store, "cp-2025-123") == (1, ["CP-2026-000002"])  # short and lower case, as typed
    assert found(store, "CP-2024-000001") == (1, ["CP-2026-000001"])
    assert found(store, "SO-2026-88417") == (1, ["CP-2026-000003"])  # an order number shaped like a code
    assert found(store, "88417") == (1, ["CP-2026-000003"])  # its pieces still find it one by one
    assert found(store, "2025 000123") == (2, ["CP-2026-000001", "CP-2026-000002"])
    assert found(store, "CP-2026-000003") == (1, ["CP-2026-000003"])  # the record itself, by its code


@given(letters=st.from_regex(r"[A-Za-z]{2,8}", fullmatch=True), year=st.integers(1000, 9999),
       number=st.integers(0, 999_999_999), padding=st.integers(0, 3),
       before=st.sampled_from(["", " ", "调阅", "(", "，"]),
       after=st.sampled_from(["", " ", "号", ")", "。"]))
def test_a_code_written_in_text_gives_the_term_its_query_looks_for(  # type: ignore[no-untyped-def]
        letters, year, number, padding, before, after) -> None:
    """However the text pads it and the searcher types its case and padding, one term."""
    written = f"{letters}-{year}-{number:0{min(9, padding + len(str(number)))}d}"
    typed = f"{letters.swapcase()}-{year}-{number}"
    assert record_code(typed) is not None
    query = text_query(typed)
    assert query is not None
    looked_for = [term.text for term in to_whoosh(query).leaves() if term.fieldname == "words"]
    assert code_terms(f"{before}{written}{after}") == looked_for
