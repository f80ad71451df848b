"""The neutral queries (:data:`search.backend.Query`) as SQL over ``search.documents``, and a
document's analysed terms as the ``tsvector`` literal that table keeps.

A document's terms are our own (:mod:`search.analysis`), each prefixed by its field (``c:`` cjk,
``w:`` words, ``t:`` tail) so that ``w:1234`` and ``t:1234`` stay apart in one ``tsvector``.
PostgreSQL's parser (``to_tsvector``) would split and fold them again, so they are written in
``tsvector``'s own input syntax instead, each lexeme quoted; a query's terms likewise in
``tsquery``'s (``'c:外包'``, ``'c:外':*``). Everything typed reaches the server as a bound
parameter; the quoting only keeps a term one lexeme (a quote or backslash inside it is escaped).

Compiling keeps the text-field parts of an AND together as one ``tsquery`` (one GIN lookup:
``'c:外包' & 'c:包装' & 'w:2024'``) and the rest as SQL conditions beside it: keyword fields
are column comparisons, a code prefix ``LIKE 'CP-2026%'`` (escaped), a date span a range on
``submitted_at``, a phrase its pairs in the ``tsquery`` and ``strpos(cjk_text, run) > 0``.
"""

# ruff: noqa: S608  (SQL is put together from this module's constants, the field names of the
# query tree's dataclasses, checked, and FACETS; every value typed is a bound parameter)
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any as AnyValue

from search.backend import (
    KEYWORD_FIELDS,
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

#: Each analysed field's prefix in the ``tsvector``.
FIELD_PREFIX = {"cjk": "c:", "words": "w:", "tail": "t:"}
#: PostgreSQL refuses a lexeme of 2 KB or more; no query (at most 200 characters) names one so
#: long, so such a term could never be found and is left out.
MAX_LEXEME_BYTES = 2000
#: The positions kept per term: they stand only for how often the record holds it (ranking).
MAX_COUNT = 32


def lexeme(field_name: str, text: str) -> str:
    """The quoted lexeme of ``text`` in ``field_name``, as tsvector and tsquery input take it."""
    word = FIELD_PREFIX[field_name] + text
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: dict[str, AnyValue]) -> str:
    """A document's analysed terms (``SearchDocument.fields()``) as a ``tsvector`` literal:
    every term once, with positions 1…n for its n occurrences (so ``ts_rank`` sees counts).
    Written for speed (it runs for every term of every record a rebuild writes): the quoting
    and the length check only touch the rare terms that need them."""
    parts: list[str] = []
    for name, prefix in FIELD_PREFIX.items():
        counts = Counter(fields.get(name) or ())
        counts.pop("", None)
        if any(len(term) * 4 >= MAX_LEXEME_BYTES - 2 or "'" in term or "\\" in term for term in counts):
            counts = Counter({_escaped(term): n for term, n in counts.items()
                              if len(term.encode()) < MAX_LEXEME_BYTES})
        parts.extend([f"'{prefix}{term}':{_POSITIONS[min(n, MAX_COUNT)]}" for term, n in counts.items()])
    return " ".join(parts)


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("'", "''")


_POSITIONS = ["", *(",".join(map(str, range(1, n + 1))) for n in range(1, MAX_COUNT + 1))]


@dataclass
class Params:
    """The bound parameters of one statement, named p0, p1, … as the compiler adds them."""

    values: dict[str, AnyValue] = field(default_factory=dict)
    #: Whether a condition looks terms up (a tsquery): see postgres_backend._use_the_index.
    uses_terms: bool = False

    def add(self, value: AnyValue) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return ":" + name


@dataclass
class Part:
    """A compiled query: documents matching ``tsquery`` (None: no condition on terms) and every
    SQL condition in ``sql``."""

    tsquery: str | None = None
    sql: list[str] = field(default_factory=list)

    def condition(self, params: Params) -> str:
        conditions = list(self.sql)
        if self.tsquery is not None:
            params.uses_terms = True
            conditions.insert(0, f"terms @@ CAST({params.add(self.tsquery)} AS tsquery)")
        return " AND ".join(f"({c})" for c in conditions) if conditions else "TRUE"


def where(query: Query, params: Params) -> str:
    """The SQL condition on ``search.documents`` that means ``query``."""
    return _compile(query, params).condition(params)


def _compile(query: Query, params: Params) -> Part:
    match query:
        case Term(name, text) if name in KEYWORD_FIELDS:
            return Part(sql=[f"{name} = {params.add(text)}"])
        case Prefix(name, text) if name in KEYWORD_FIELDS:
            return Part(sql=[f"{name} LIKE {params.add(like_prefix(text))}"])
        case Term(name, text) if name in FIELD_PREFIX:
            return Part(tsquery=lexeme(name, text))
        case Prefix(name, text) if name in FIELD_PREFIX:
            return Part(tsquery=lexeme(name, text) + ":*")
        case Phrase("cjk", pairs) if pairs:
            return Part(" & ".join(lexeme("cjk", pair) for pair in pairs),
                        [f"strpos(cjk_text, {params.add(query.run)}) > 0"])
        case DateSpan(start, end):
            return Part(sql=_date_span(start, end, params))
        case All(parts):
            return _all([_compile(part, params) for part in parts])
        case Any(parts):
            return _any([_compile(part, params) for part in parts], params)
        case Everything():
            return Part()
        case Nothing():
            return Part(sql=["FALSE"])
    raise ValueError(f"not a query the PostgreSQL backend answers: {query!r}")


def like_prefix(text: str) -> str:
    """A LIKE pattern for values starting with ``text`` (its ``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _date_span(start: datetime | None, end: datetime | None, params: Params) -> list[str]:
    conditions = []
    if start is not None:
        conditions.append(f"submitted_at >= {params.add(_aware(start))}")
    if end is not None:
        conditions.append(f"submitted_at <= {params.add(_aware(end))}")
    return conditions


def _aware(instant: datetime) -> datetime:
    """The AST's naive UTC as an aware datetime (timestamptz compares instants)."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def _all(parts: list[Part]) -> Part:
    tsqueries = [f"({p.tsquery})" for p in parts if p.tsquery is not None]
    return Part(" & ".join(tsqueries) if tsqueries else None, [c for p in parts for c in p.sql])


def _any(parts: list[Part], params: Params) -> Part:
    if not parts:
        return Part(sql=["FALSE"])  # an empty Any matches nothing, as Whoosh's empty Or does
    if all(p.tsquery is not None and not p.sql for p in parts):
        return Part(" | ".join(f"({p.tsquery})" for p in parts))
    if any(p.tsquery is None and not p.sql for p in parts):
        return Part()  # one part matches everything
    return Part(sql=[" OR ".join(f"({p.condition(params)})" for p in parts)])


def scored_terms(query: Query) -> list[str]:
    """The ``tsquery`` items of the query's text-field terms (prefixes as prefixes, a phrase's
    pairs), which relevance counts, as Whoosh's BM25 sums over the same terms."""
    match query:
        case Term(name, text) | Prefix(name, text) if name in FIELD_PREFIX:
            return [lexeme(name, text) + (":*" if isinstance(query, Prefix) else "")]
        case Phrase("cjk", pairs):
            return [lexeme("cjk", pair) for pair in pairs]
        case All(parts) | Any(parts):
            return [item for part in parts for item in scored_terms(part)]
    return []


#: Newest first, then the later code (Whoosh: the later record).
NEWEST = "submitted_at DESC, code DESC"


def find_sql(condition: str, ranked: str | None, facets: list[str], *, deep: bool) -> str:
    """One statement for a page of hits: the matched rows once (``matched``); their facet
    counts and total by GROUPING SETS (rows of ``kind`` 0); and the page (``kind`` 1). With
    ``ranked`` (the parameter holding the query's scored terms as a tsquery), the newest
    ``:window`` matches come first, by ``ts_rank`` (normalised by the record's length), then
    the rest newest first (only a ``deep`` page, past the window, needs the rest: the others
    are cut from the window alone); without it, newest first. ``:limit``/``:offset`` pick the
    page."""
    order, ordered = NEWEST, "matched"
    if ranked is not None:
        rank = f"ts_rank(d.terms, CAST({ranked} AS tsquery), 1)"
        window = f"(SELECT code, submitted_at FROM matched ORDER BY {NEWEST} LIMIT :window)"
        order = f"band DESC, rank DESC, {NEWEST}"
        ordered = f"""(
    SELECT w.code, w.submitted_at, 1 AS band, {rank} AS rank
    FROM {window} w JOIN search.documents d ON d.code = w.code"""
        if deep:
            ordered += f"""
    UNION ALL
    (SELECT code, submitted_at, 0, 0 FROM matched ORDER BY {NEWEST} OFFSET :window)"""
        ordered += ") o"
    return f"""
WITH matched AS MATERIALIZED (
    SELECT code, form, year, state, department, submitted_at FROM search.documents WHERE {condition}),
counts AS ({_counts(facets)}),
top AS (
    SELECT code, row_number() OVER (ORDER BY {order}) AS place
    FROM {ordered} ORDER BY {order} LIMIT :limit OFFSET :offset)
SELECT 0 AS kind, grouping, label, n, NULL AS code, NULL AS form, NULL AS title, NULL AS state,
       NULL AS department, NULL::timestamptz AS submitted_at, NULL AS body, 0::bigint AS place FROM counts
UNION ALL
SELECT 1, NULL, NULL, NULL, d.code, d.form, s.title, d.state, d.department, d.submitted_at, s.body,
       top.place
FROM top JOIN search.documents d ON d.code = top.code JOIN search.shown s ON s.code = top.code
ORDER BY kind, place"""


def _counts(facets: list[str]) -> str:
    """The total and each facet's counts over ``matched``; GROUPING() says which row is which."""
    if not facets:
        return "SELECT 0 AS grouping, NULL::text AS label, count(*) AS n FROM matched"
    keys = ", ".join(facets)
    sets = ", ".join([*(f"({name})" for name in facets), "()"])
    return (f"SELECT GROUPING({keys}) AS grouping, COALESCE({keys}) AS label, count(*) AS n "
            f"FROM matched GROUP BY GROUPING SETS ({sets})")
