"""What the search package needs from the packages above it, as one typed port.

Search indexes and queries records, but it does not know what a record holds (the forms
package reads the specs), which records an access grant opens (the archive keeps the grants),
or which personal data a reader may see in a hit (the forms package masks it). The composition
root (``core.app``) builds a :class:`SearchPorts` from those packages' providers and hands it to
``search.init_app``; search's views, API and commands read it with :func:`search_ports`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from core.ports import port

if TYPE_CHECKING:
    from core.auth.roles import Actor
    from search.indexing import SearchDocument
    from search.service import SearchResult


class DocumentSource(Protocol):
    """Where documents come from (the forms package, which knows the specs)."""

    def revisions(self) -> dict[str, int]: ...

    def documents(self, codes: list[str] | None = None) -> Iterator[SearchDocument]: ...


#: A locale ("zh", "en") -> facet -> value -> the value's readable name (form titles, states...).
FacetLabels = Callable[[str], dict[str, dict[str, str]]]
#: The codes the archive's access grants open to an actor now, beyond their own scope.
Granted = Callable[["Actor"], Collection[str]]
#: A page of hits as the actor may read them: (actor, search text, result) -> result.
Shown = Callable[["Actor", str, "SearchResult"], "SearchResult"]


@dataclass(frozen=True)
class CustomerHints:
    """Ways from a page of hits to customers (the forms package links records to customers)."""

    #: The customer whose phone, policy or order number the search text is, if the reader has
    #: any record of theirs.
    found: str | None = None
    #: The hits' codes that are linked to a customer (each hit then offers the way there).
    linked: frozenset[str] = frozenset()


#: (actor, search text, the page's hit codes) -> the ways to customers.
Customers = Callable[["Actor", str, list[str]], CustomerHints]


def no_labels(locale: str) -> dict[str, dict[str, str]]:
    """Facet values shown as stored (no package names them)."""
    return {}


def no_grants(actor: Actor) -> Collection[str]:
    """Nothing beyond the actor's own scope (no package keeps access grants)."""
    return ()


def as_indexed(actor: Actor, text: str, result: SearchResult) -> SearchResult:
    """Hits shown as the index stores them (no package masks them)."""
    return result


def no_customers(actor: Actor, text: str, codes: list[str]) -> CustomerHints:
    """No way to customers (no package links records to them)."""
    return CustomerHints()


@dataclass(frozen=True)
class SearchPorts:
    """Search's needs, each called inside an app context (they read the app's database)."""

    #: The records to index, as of now: ``search rebuild``, ``search check``, ``flask init``.
    documents: Callable[[], DocumentSource]
    facet_labels: FacetLabels = no_labels
    granted: Granted = no_grants
    shown: Shown = as_indexed
    customers: Customers = no_customers


def search_ports() -> SearchPorts:
    """The current app's :class:`SearchPorts` (request or command glue)."""
    return port(SearchPorts)
