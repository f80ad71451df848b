"""What a search backend offers, and the queries every backend answers.

Search has two backends (``SEARCH_BACKEND`` in the instance config): Whoosh, folders in the
instance (the embedded default), and PostgreSQL, a table in the records' own database that
every app server and worker shares. Everything above this line is the same for both: the
analysis (:mod:`search.analysis`: Chinese pairs and single characters, digit tails, English
stems, code words), the query language (:mod:`search.query` turns what was typed into the
:data:`Query` below), the facets, the permission scope (a :data:`Query` too) and the snippets
(:func:`search.service.snippet`, from the stored body). A backend only stores documents and
answers these queries, so the two cannot drift apart in what a search means
(``tests/search/test_backends_agree.py`` indexes one generated corpus in both and compares).

Fields a query names: ``code``, ``form``, ``year``, ``state``, ``department`` (kept whole);
``cjk`` (a Chinese run's overlapping pairs and its last character), ``words`` (English stems,
digit runs, numbers written in groups joined, code-shaped words), ``tail`` (digit runs
reversed, so a number's last digits are a prefix). Dates are naive UTC (``submitted_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from search.indexing import SearchDocument

#: The fields a record's hits are counted by, in the order pages show them.
FACETS = ("form", "year", "state", "department")
#: Fields kept whole (a term is the value itself).
KEYWORD_FIELDS = frozenset({"code", "form", "year", "state", "department"})
#: Fields holding the analysed text's terms (search.analysis.IndexTerms).
TEXT_FIELDS = frozenset({"cjk", "words", "tail"})


@dataclass(frozen=True)
class Term:
    """Documents holding ``text`` in ``field``."""

    field: str
    text: str


@dataclass(frozen=True)
class Prefix:
    """Documents holding a term of ``field`` that starts with ``text`` (a single Chinese
    character in ``cjk``, a number's last digits reversed in ``tail``, a code prefix)."""

    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    """Documents whose Chinese text holds these pairs one after the other (``cjk`` only: a run
    of three or more characters typed as a word, e.g. 外包装 → 外包, 包装)."""

    field: str
    pairs: tuple[str, ...]

    @property
    def run(self) -> str:
        """The characters the pairs spell (外包, 包装 → 外包装)."""
        return self.pairs[0] + "".join(pair[-1] for pair in self.pairs[1:])


@dataclass(frozen=True)
class DateSpan:
    """Documents submitted within [start, end] (naive UTC; an open end is None)."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class All:
    """Documents matching every part."""

    parts: tuple[Query, ...]


@dataclass(frozen=True)
class Any:
    """Documents matching at least one part."""

    parts: tuple[Query, ...]


@dataclass(frozen=True)
class Everything:
    """Every document (a search with filters only)."""


@dataclass(frozen=True)
class Nothing:
    """No document (a scope that opens nothing)."""


Query = Term | Prefix | Phrase | DateSpan | All | Any | Everything | Nothing


@dataclass(frozen=True)
class StoredHit:
    """What a backend gives back for one hit: the stored fields the result page shows."""

    code: str
    form: str
    title: str
    state: str
    department: str
    submitted_at: datetime  # aware, UTC
    body: str


@dataclass(frozen=True)
class Found:
    """One search's answer: every match counted (in total and per facet value) and one page."""

    total: int
    facets: dict[str, dict[str, int]]
    page: tuple[StoredHit, ...]


class BackendUnavailable(RuntimeError):
    """No usable index (never built, or built with another schema): the message says what to run."""


class IndexBusy(RuntimeError):
    """The index could not be written now (another writer held it too long); the outbox retries."""


class SearchBackend(Protocol):
    """One instance's search index. Writes are idempotent (a document is replaced by its code),
    so an outbox step run twice, or a repair after a crash, leaves the same index."""

    #: "whoosh" or "postgres", as the instance config names it.
    name: str

    def problem(self) -> str | None:
        """Why there is no usable index (not built, another schema version), or None."""

    def build(self, documents: Iterable[SearchDocument], progress: Callable[[int], None] = ...,
              *, processes: int = 1) -> int:
        """A whole new index from ``documents``, replacing the current one atomically (searches
        see the old one until the new one is complete); returns how many went in."""

    def put(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace these documents by code, together (one commit); returns how many.
        Raises :class:`BackendUnavailable` when there is no usable index."""

    def remove(self, codes: Iterable[str]) -> int:
        """Take these records out (a destroyed record); returns how many were there."""

    def indexed_revisions(self) -> dict[str, int]:
        """Code → revision of every indexed document (``search check``)."""

    def find(self, query: Query, *, scope: Query | None, facets: Sequence[str], newest_first: bool,
             page: int, per_page: int) -> Found:
        """Every match of ``query`` within ``scope`` counted per facet in ``facets``, and page
        ``page`` of them: by relevance (BM25 over the text fields' terms; ties newest first,
        then the later code) or newest first (then the later code)."""

    def count(self, query: Query) -> int:
        """How many documents match (no page, no facets)."""
