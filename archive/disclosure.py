"""What the archive's pages and API hand out of a record to one person.

Only the forms package knows which fields are personal and who needs them (the spec says), so
the composition root hands its :class:`archive.ports.Disclosure` to the archive
(``ArchivePorts.disclosure``); the archive's adapters ask :func:`current_disclosure` before
showing a record or handing out its archival file. Without one (an app without the forms
package) records are shown whole (:class:`archive.ports.WholeRecords`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from archive.ports import Disclosure, archive_ports
from core.auth.roles import Actor
from core.db import Database


def current_disclosure() -> Disclosure:
    """The app's disclosure rules (request glue: call it from views and API modules)."""
    return archive_ports().disclosure


class Titled(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def title(self) -> str: ...


T = TypeVar("T", bound=Titled)


def shown_titles(db: Database, actor: Actor, items: Sequence[T]) -> list[T]:
    """``items`` (frozen dataclasses with ``code`` and ``title``: catalogue entries, the filing
    queue, due lists) with each title as ``actor`` may read it. The records office sees these
    lists whole, but auditors and administrators have no need of customers' names."""
    masked = current_disclosure().masked_titles(db, actor, [item.code for item in items])
    return [replace(item, title=masked[item.code]) if item.code in masked else item  # type: ignore[type-var]
            for item in items]
