"""For any 档号 (hypothesis; a fonds of digits alone too, "0012"), the term a search for it
looks up is the one its record's search document holds, and every start of it through the dot
is a prefix of that term; text that is no 档号 ("x-ray.pdf") is searched as words, as before."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from archive.archival_codes import ArchivalReference
from search.backend import Prefix, Term
from search.indexing import SearchDocument
from search.query import text_query

CAPS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
references = st.builds(
    ArchivalReference, fonds=st.text(CAPS, min_size=1, max_size=8),
    category=st.text(CAPS, min_size=1, max_size=4), year=st.integers(1000, 9999),
    retention=st.one_of(st.just("Y"), st.integers(1, 999).map(lambda y: f"D{y}")),
    organisation=st.text(CAPS, min_size=1, max_size=8), item=st.integers(1, 999_999))


def words_of(reference: ArchivalReference) -> list[str]:
    document = SearchDocument(code="CP-2026-000001", form="CP", year=reference.year, state="closed",
                              department="CS", submitted_at=datetime(2026, 3, 2, tzinfo=UTC), revision=1,
                              title="t", texts=("外包装破损",), archival_code=reference.text)
    return document.fields()["words"]  # type: ignore[return-value]


@given(references, st.booleans())
def test_the_whole_reference_is_one_term_the_document_holds(reference: ArchivalReference,
                                                            lower: bool) -> None:
    typed = reference.text.lower() if lower else reference.text
    query = text_query(typed)
    assert isinstance(query, Term) and query.field == "words"
    assert query.text in words_of(reference)


@given(references, st.integers(0, 40))
def test_each_start_through_the_dot_is_a_prefix_of_that_term(reference: ArchivalReference, cut: int) -> None:
    text = reference.text
    start = text[:text.index("·") + 1 + cut]
    query = text_query(start)
    assert isinstance(query, Prefix | Term) and query.field == "words"
    [term] = [word for word in words_of(reference) if "·" in word]
    assert term.startswith(query.text)


def test_text_that_is_no_reference_is_searched_as_words() -> None:
    assert not isinstance(text_query("x-ray.pdf"), Prefix | Term)
    assert text_query("CP-2026-000001") != text_query("Q012-WS·2026")
