"""Searching as a user: only records they may open, counted and faceted the same way; audited.

The user's scope becomes part of the backend's query (:func:`scope_filter`), so a record
outside it is in no hit, no total and no facet count. The scope rule is the archive's (core's
``Actor``): organisation-wide roles see every department, everyone else their own department.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any as AnyValue
from zoneinfo import ZoneInfo

from markupsafe import Markup

from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from search.analysis import ARCHIVAL_WHOLE, archival_term
from search.backend import FACETS, Any, Nothing, Query, SearchBackend, StoredHit, Term
from search.params import SearchParams
from search.query import Filters, combined, filter_queries, record_code, snippet_needles, text_query, within

MAX_PER_PAGE = 100
SNIPPET_CHARS = 80


@dataclass(frozen=True)
class Hit:
    code: str
    form: str
    title: str
    state: str
    department: str
    submitted_at: datetime
    snippet: Markup

    def as_json(self) -> dict[str, AnyValue]:
        return {"code": self.code, "form": self.form, "title": self.title,
                "snippet": str(self.snippet), "submitted_at": self.submitted_at.isoformat()}


@dataclass(frozen=True)
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]]
    #: The code of the one record the search text names exactly, if the user may see it.
    record: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def scope_filter(actor: Actor, granted: Collection[str] = ()) -> Query | None:
    """The records ``actor`` may see, as an index query (the same rule as the archive's:
    their department, plus the records an access grant opens to them now); None means no
    restriction."""
    if actor.sees_all_departments:
        return None
    parts: list[Query] = [Term("code", code) for code in sorted(granted)]
    if actor.department is not None:
        parts.insert(0, Term("department", actor.department.code))
    if not parts:
        return Nothing()
    return parts[0] if len(parts) == 1 else Any(tuple(parts))


def search(db: Database, clock: Clock, zone: ZoneInfo, backend: SearchBackend, actor: Actor, *,
           text: str = "", filters: Filters | None = None, sort: str = "relevance", page: int = 1,
           per_page: int = 20, channel: str = "web", granted: Collection[str] = ()) -> SearchResult:
    """One page of hits for ``text`` within ``filters`` and the actor's scope, with facets.
    ``granted``: codes of records outside that scope an access grant opens to the actor now."""
    filters = filters or Filters()
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    query = combined(text_query(text), filter_queries(filters, zone))
    scope = scope_filter(actor, granted)
    result = find(backend, query, scope=scope, text=text, sort=sort, page=page, per_page=per_page)
    result = replace(result, record=named_record(backend, text, scope))
    _audit(db, clock, actor, text, filters, sort, page, result.total, channel)
    return result


def opened_record(db: Database, clock: Clock, backend: SearchBackend, actor: Actor, text: str, *,
                  sort: str = "relevance", channel: str = "web", granted: Collection[str] = ()) -> str | None:
    """The record ``text`` names by its code or its whole 档号 alone, if ``actor`` may see it:
    the search page then opens that record instead of listing hits. The search is audited as
    :func:`search` audits it, with the number of records it matches, but no page of hits,
    facets, snippets or masking is made for a list no one will see. None (nothing audited):
    list the hits."""
    if record_code(text) is None and not ARCHIVAL_WHOLE.fullmatch(text.strip()):
        return None
    scope = scope_filter(actor, granted)
    code = named_record(backend, text, scope)
    if code is None:
        return None
    total = backend.count(within(combined(text_query(text), []), scope))
    _audit(db, clock, actor, text, Filters(), sort, 1, total, channel)
    return code


def named_record(backend: SearchBackend, text: str, scope: Query | None) -> str | None:
    """The record ``text`` names by its code or its whole 档号 alone, if it exists within
    ``scope``: a user who types a code wants that record, and one outside their scope must stay
    unmentioned. A 档号 is one term only its record's document holds (search.analysis)."""
    code = record_code(text)
    if code is not None:
        return code if backend.count(within(Term("code", code), scope)) else None
    if not ARCHIVAL_WHOLE.fullmatch(text.strip()):
        return None
    found = backend.find(Term("words", archival_term(text)), scope=scope, facets=(), newest_first=True,
                         page=1, per_page=2)
    return found.page[0].code if len(found.page) == 1 else None


def codes_found(backend: SearchBackend, zone: ZoneInfo, params: SearchParams, *, limit: int) -> list[str]:
    """The codes of every record (in any department) a saved search finds now, newest first, at
    most ``limit`` + 1 (so that a caller can tell "too many"). For approving an access request
    by search: the approver sees the whole archive, and the result is frozen into grants."""
    query = combined(text_query(params.text), filter_queries(params.filters, zone))
    found = backend.find(query, scope=None, facets=(), newest_first=True, page=1, per_page=limit + 1)
    return [hit.code for hit in found.page]


def find(backend: SearchBackend, query: Query, *, scope: Query | None, text: str, sort: str, page: int,
         per_page: int) -> SearchResult:
    """One page of hits for ``query`` within ``scope``, with facets and snippets for ``text``:
    the part of :func:`search` that reads the index (benchmarks/search.py times it)."""
    found = backend.find(query, scope=scope, facets=FACETS, newest_first=sort == "newest",
                         page=page, per_page=per_page)
    hits = tuple(_hit(stored, text) for stored in found.page)
    return SearchResult(found.total, page, per_page, hits, found.facets)


def _hit(stored: StoredHit, text: str) -> Hit:
    return Hit(stored.code, stored.form, stored.title, stored.state, stored.department,
               stored.submitted_at, snippet(stored.body, text))


def snippet(body: str, text: str, width: int = SNIPPET_CHARS) -> Markup:
    """A piece of ``body`` around the first thing searched for, with every match marked."""
    needles = snippet_needles(text)
    if not needles:
        return Markup(html.escape(body[:width]))  # noqa: S704 - escaped just now
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    first = pattern.search(body)
    start = max(0, (first.start() if first else 0) - width // 3)
    window = body[start:start + width]
    marked = pattern.sub(lambda m: f"\x00{m.group()}\x01", window)
    escaped = html.escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    prefix, suffix = ("…" if start else ""), ("…" if start + width < len(body) else "")
    return Markup(prefix + escaped + suffix)  # noqa: S704 - user text escaped above


def _audit(db: Database, clock: Clock, actor: Actor, text: str, filters: Filters, sort: str,
           page: int, total: int, channel: str) -> None:
    """After the index is read (no database read holds a lock meanwhile), the event alone in a
    short write transaction."""
    detail = {"q": text, "sort": sort, "page": page, "total": total, "via": channel,
              "filters": {k: str(v) for k, v in vars(filters).items() if v is not None}}
    trail.append_alone(db, at=clock.now(), actor=actor, action="search", object_type="search", detail=detail)
