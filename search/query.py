"""What the user typed → a Whoosh query over the analysed fields (see :mod:`search.analysis`).

Every word must match (AND). A record code or code prefix (``CP-2026-000123``, ``CP-2026-``)
is looked up in the code field; Chinese words become character, pair or pair-phrase queries;
numbers match whole or by their last digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from whoosh.query import And, DateRange, Every, NullQuery, Or, Phrase, Prefix, Query, Term

from search.analysis import MIN_TAIL, bigrams, english, pieces

CODE_LIKE = re.compile(r"[A-Za-z]{2,8}-\d{4}(?:-\d{0,9})?|[A-Za-z]{2,8}-\d{0,3}|[A-Za-z]{2,8}-")
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
    for word in text.split():
        if CODE_LIKE.fullmatch(word):
            parts.append(Prefix("code", word.upper()))
            continue
        parts.extend(_piece_queries(word))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _piece_queries(word: str) -> list[Query]:
    queries: list[Query] = []
    for piece in pieces(word):
        if piece.kind == "cjk":
            if len(piece.text) == 1:
                queries.append(Prefix("cjk", piece.text))
            elif len(piece.text) == 2:
                queries.append(Term("cjk", piece.text))
            else:
                queries.append(Phrase("cjk", bigrams(piece.text)))
        elif piece.kind == "digits":
            whole = Term("words", piece.text)
            tail = Prefix("tail", piece.text[::-1]) if len(piece.text) >= MIN_TAIL else None
            queries.append(Or([whole, tail]) if tail else whole)
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
        queries.append(DateRange("submitted_at", start, end))
    return queries


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of ``day`` in the office's zone, as the naive UTC the index stores."""
    local = datetime.combine(day, time.min, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def combined(text: Query | None, filters: list[Query]) -> Query:
    parts = [q for q in (text, *filters) if q is not None]
    if not parts:
        return Every()
    return parts[0] if len(parts) == 1 else And(parts)


NOTHING = NullQuery
