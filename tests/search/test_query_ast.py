"""What search.query makes of typed text is search.backend's neutral query, the one every backend
compiles (Whoosh's, PostgreSQL's): the expected tree for typical texts, and for any text a valid
tree or BadSearch, never another exception."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.backend import (
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    All,
    Any,
    DateSpan,
    Everything,
    Nothing,
    Phrase,
    Prefix,
    Query,
    Term,
)
from search.query import MAX_QUERY_LENGTH, BadSearch, Filters, combined, filter_queries, text_query, within


def digits(number: str) -> Query:
    """A digit run of three or more: whole, or as the last digits of a longer number."""
    return Any((Term("words", number), Prefix("tail", number[::-1])))


@pytest.mark.parametrize(("typed", "expected"), [
    ("外", Prefix("cjk", "外")),  # one character: any pair starting with it, or a run's last
    ("破损", Term("cjk", "破损")),
    ("外包装破损", Phrase("cjk", ("外包", "包装", "装破", "破损"))),
    ("客户 退货", All((Term("cjk", "客户"), Term("cjk", "退货")))),
    ("Scratches", Term("words", "scratch")),  # stemmed, case folded
    ("12", Term("words", "12")),  # too short to be a tail
    ("8000", digits("8000")),
    ("139 1234 5679", Any((digits("13912345679"),
                           All((digits("139"), digits("1234"), digits("5679")))))),
    ("+86 13800138000", Any((digits("8613800138000"), digits("13800138000"),
                             All((Term("words", "86"), digits("13800138000")))))),
    ("cp-2026-7", Any((Term("code", "CP-2026-000007"), Term("words", "cp-2026-000007")))),
    ("CP-2026-", Prefix("code", "CP-2026-")),
    ("cp-", Prefix("code", "CP-")),
    ("划痕CP", All((Term("cjk", "划痕"), Term("words", "cp")))),
])
def test_typed_text_becomes_the_expected_query(typed: str, expected: Query) -> None:
    assert text_query(typed) == expected


def test_nothing_searchable_is_no_query_and_filters_alone_are_everything() -> None:
    assert text_query("") is None and text_query("  ，。 ") is None
    assert combined(None, []) == Everything()
    broken = Term("cjk", "破损")
    assert combined(text_query("破损"), [Term("form", "CP")]) == All((broken, Term("form", "CP")))
    assert within(Term("form", "CP"), None) == Term("form", "CP")
    assert within(Term("form", "CP"), Nothing()) == All((Term("form", "CP"), Nothing()))


def test_filters_become_keyword_terms_and_a_date_span_in_naive_utc() -> None:
    filters = Filters(form="CP", year=2026, state="closed", department="CS",
                      date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
    assert filter_queries(filters, ZoneInfo("Asia/Shanghai")) == [
        Term("form", "CP"), Term("state", "closed"), Term("department", "CS"), Term("year", "2026"),
        # the office's day 2 March (UTC+8), first to last microsecond, as naive UTC
        DateSpan(datetime(2026, 3, 1, 16, 0), datetime(2026, 3, 2, 15, 59, 59, 999999))]
    assert filter_queries(Filters(date_to=date(2026, 3, 2)), ZoneInfo("UTC")) == [
        DateSpan(None, datetime(2026, 3, 2, 23, 59, 59, 999999))]


def test_more_than_the_longest_text_is_refused_naming_the_parameter() -> None:
    with pytest.raises(BadSearch) as refused:
        text_query("破" * (MAX_QUERY_LENGTH + 1))
    assert refused.value.field == "q"


def valid(query: Query) -> bool:
    """``query`` is a tree search.query may hand a backend (the fields and shapes it names)."""
    match query:
        case Term(field, text):
            return field in KEYWORD_FIELDS | TEXT_FIELDS and isinstance(text, str) and bool(text)
        case Prefix(field, text):
            return field in {"cjk", "tail", "code"} and isinstance(text, str) and bool(text)
        case Phrase(field, pairs):
            return (field == "cjk" and isinstance(pairs, tuple) and len(pairs) >= 2
                    and all(len(pair) == 2 for pair in pairs)
                    and all(a[1] == b[0] for a, b in pairwise(pairs)))
        case All(parts) | Any(parts):
            return isinstance(parts, tuple) and len(parts) >= 2 and all(valid(part) for part in parts)
    return False  # dates, Everything and Nothing come from filters and scopes, not from text


#: Text like what people type (Chinese, codes, numbers in groups, brackets, full-width
#: characters) as well as any text at all.
TYPED = st.lists(st.sampled_from([*"外包装破损客户退货王小明 -+()（）＋０１0123456789CPcpSOab.,，。\t",
                                  "CP-2026-", "cp-2026-7", "138", "SO-2026-88417"]), max_size=60).map("".join)


@given(st.one_of(TYPED, st.text(max_size=MAX_QUERY_LENGTH)))
def test_any_text_gives_a_valid_query_or_bad_search(typed: str) -> None:
    try:
        query = text_query(typed)
    except BadSearch as refused:
        assert refused.field == "q" and len(typed) > MAX_QUERY_LENGTH
        return
    assert query is None or valid(query), query
