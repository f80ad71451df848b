"""What the user typed → a backend-neutral query (:data:`search.backend.Query`) over the analysed
fields (see :mod:`search.analysis`), which each backend compiles to its own
(:func:`search.whoosh_backend.to_whoosh`, PostgreSQL's in ``search/postgres*.py``).

Every word must match (AND). Chinese words become character, pair or pair-phrase queries;
numbers match whole or by their last digits. People type numbers as they read them
("139 1234 5679", "139-1234-5679", "+86 13912345679"), so a number written in groups is one
word: it matches its digits joined (as the index also joins them), without the country code,
or its groups each on their own. A whole record code (``CP-2026-000123``, any case, the number
with or without its zero padding: ``cp-2026-123``) matches that record *or* the records whose
text holds that code as one word (:func:`search.analysis.code_term`), because order and part
numbers are shaped like codes too (``SO-2026-88417``) and requests name codes; never text that
holds its pieces apart. :func:`record_code` names the record so that the page can go straight
to it. A code prefix (``CP-``, ``CP-2026``, ``CP-2026-``) lists codes only. An archival
reference (档号, ``Q012-WS·2026-D10-KF-0042``) finds its record; its start through the dot after
the category (``Q012-WS·2026``, ``Q012-WS·2026-D10-KF``) finds every record whose 档号 begins so
(:data:`search.analysis.ARCHIVAL_SHAPED`; the dot may be typed "." or "・").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from search.analysis import (
    ARCHIVAL_SHAPED,
    ARCHIVAL_WHOLE,
    MIN_TAIL,
    archival_term,
    bigrams,
    code_term,
    english,
    pieces,
)
from search.backend import All, Any, DateSpan, Everything, Phrase, Prefix, Query, Term

#: A record code, whole; the sequence number may lack its zero padding.
RECORD_CODE = re.compile(r"([A-Za-z]{2,8})-(\d{4})-(\d{1,9})")
#: A form code, optionally with (the start of) a year and the dash after it.
CODE_PREFIX = re.compile(r"[A-Za-z]{2,8}-(?:\d{4}-?|\d{0,3})")
#: A word of the query: a 档号 or its start (standing alone), a number written in groups
#: (spaces, dashes, brackets inside), or anything up to the next space.
_WORDS = re.compile(rf"(?<!\S)(?:{ARCHIVAL_SHAPED.pattern})(?!\S)"  # a 档号 whole, even of digits
                    r"|[+＋(（]?\d+(?:[\s\-()（）]{1,2}\d+)*[)）]?|\S+")
_NUMBER = re.compile(r"[+＋(（]?\d[\d\s\-()（）]*")
#: China's country code before a mobile (11 digits from 1) or an area code without its 0.
_NATIONAL = re.compile(r"(?:00)?86(\d{9,11})")
MAX_QUERY_LENGTH = 200


class BadSearch(ValueError):
    """A parameter the search cannot use; ``field`` names it, the message says what is expected."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    form: str | None = None
    year: int | None = None
    state: str | None = None
    department: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def text_query(text: str) -> Query | None:
    """The query for what was typed, or None when nothing searchable was typed (filters only)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise BadSearch("q", f"at most {MAX_QUERY_LENGTH} characters")
    parts: list[Query] = []
    for word in query_words(text):
        parts.extend(_word_queries(word))
    if not parts:
        return None
    return _all(parts)


def query_words(text: str) -> Iterator[str]:
    """The words typed, a number written in groups being one word ("+86 139 1234 5679")."""
    for match in _WORDS.finditer(text):
        yield match.group()


def record_code(text: str) -> str | None:
    """The record code ``text`` is, written as codes are (``cp-2026-4`` → ``CP-2026-000004``),
    or None when it is not one code alone."""
    match = RECORD_CODE.fullmatch(text.strip())
    if match is None:
        return None
    form, year, number = match.groups()
    return f"{form.upper()}-{year}-{int(number):06d}"


def number_forms(word: str) -> list[str]:
    """The digit strings a number word may be stored as: its digits joined, and without China's
    country code (``+86 139…`` → ``139…``; ``+86 21 6234 5678`` → ``02162345678``)."""
    joined = "".join(re.findall(r"\d+", word))
    forms = [joined]
    national = _NATIONAL.fullmatch(joined)
    if national:
        rest = national.group(1)
        if rest.startswith("1") and len(rest) == 11:
            forms.append(rest)
        elif word.lstrip("(（").startswith(("+", "＋", "00")) and not rest.startswith("0"):
            forms.append("0" + rest)
    return forms


def _word_queries(word: str) -> list[Query]:
    if _NUMBER.fullmatch(word):
        return [_number_query(word)]
    if ARCHIVAL_WHOLE.fullmatch(word):
        return [Term("words", archival_term(word))]
    if ARCHIVAL_SHAPED.fullmatch(word):
        return [Prefix("words", archival_term(word))]
    code = record_code(word)
    if code is not None:  # this record, or text that holds the code (an order number, a request)
        match = RECORD_CODE.fullmatch(word.strip())
        assert match is not None
        return [Any((Term("code", code), Term("words", code_term(*match.groups()))))]
    if CODE_PREFIX.fullmatch(word):
        return [Prefix("code", word.upper())]
    return _piece_queries(word)


def _number_query(word: str) -> Query:
    groups = re.findall(r"\d+", word)
    options = [_digits_query(digits) for digits in number_forms(word)]
    if len(groups) > 1:  # also two numbers typed apart, each matching on its own
        options.append(_all([_digits_query(digits) for digits in groups]))
    return options[0] if len(options) == 1 else Any(tuple(options))


def _all(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else All(tuple(queries))


def _digits_query(digits: str) -> Query:
    whole = Term("words", digits)
    return Any((whole, Prefix("tail", digits[::-1]))) if len(digits) >= MIN_TAIL else whole


def snippet_needles(text: str) -> list[str]:
    """What to mark in a snippet for ``text``: words as typed (an order number whole), their
    Chinese runs and numbers, a number's joined forms; longest first. Code prefixes are not in
    the text."""
    needles: set[str] = set()
    for word in query_words(text):
        if _NUMBER.fullmatch(word):
            needles.update(number_forms(word), re.findall(r"\d+", word))
        elif ARCHIVAL_SHAPED.fullmatch(word):
            continue  # a 档号 is not in the text
        elif record_code(word) or not CODE_PREFIX.fullmatch(word):
            needles.update(p.text for p in pieces(word) if p.kind != "word" or p.text.isascii())
            if word.isascii() and any(p.kind != "word" for p in pieces(word)):
                needles.add(word)
    return sorted(needles, key=len, reverse=True)


def _piece_queries(word: str) -> list[Query]:
    queries: list[Query] = []
    for piece in pieces(word):
        if piece.kind == "cjk":
            if len(piece.text) == 1:
                queries.append(Prefix("cjk", piece.text))
            elif len(piece.text) == 2:
                queries.append(Term("cjk", piece.text))
            else:
                queries.append(Phrase("cjk", tuple(bigrams(piece.text))))
        elif piece.kind == "digits":
            queries.append(_digits_query(piece.text))
        else:
            queries.append(Term("words", english(piece.text)))
    return queries


def filter_queries(filters: Filters, zone: ZoneInfo) -> list[Query]:
    queries: list[Query] = []
    for name in ("form", "state", "department"):
        value = getattr(filters, name)
        if value:
            queries.append(Term(name, value))
    if filters.year:
        queries.append(Term("year", str(filters.year)))
    if filters.date_from or filters.date_to:
        start = _day_start(filters.date_from, zone) if filters.date_from else None
        end = _day_start(filters.date_to + timedelta(days=1), zone) - timedelta(microseconds=1) \
            if filters.date_to else None
        queries.append(DateSpan(start, end))
    return queries


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of ``day`` in the office's zone, as the naive UTC the index stores."""
    local = datetime.combine(day, time.min, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def combined(text: Query | None, filters: list[Query]) -> Query:
    """What was typed and the filters chosen, all to match; every record when neither is there."""
    parts = [q for q in (text, *filters) if q is not None]
    return _all(parts) if parts else Everything()


def within(query: Query, scope: Query | None) -> Query:
    """``query`` restricted to ``scope`` (None: no restriction): the actor's records only."""
    return query if scope is None else All((query, scope))
