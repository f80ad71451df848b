"""What the archive's pages and API hand out of a record to one person.

Only the forms package knows which fields are personal and who needs them (the spec says), so
it registers its :class:`Disclosure` under :data:`DISCLOSURE`; the archive's adapters ask
:func:`current_disclosure` before showing a record or handing out its archival file. Without a
registered one (an app without the forms package) records are shown whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from flask import current_app

from archive.records import RecordView
from archive.renditions import RenditionStore, RenditionView, rendition_file
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database

#: app.extensions key of the registered :class:`Disclosure`.
DISCLOSURE = "dossier.disclosure"


class Disclosure(Protocol):
    def shown(self, actor: Actor, record: RecordView) -> RecordView:
        """``record`` as ``actor`` may read it (personal fields masked where they have no need)."""
        ...

    def archival_file(self, db: Database, clock: Clock, store: RenditionStore, actor: Actor, code: str,
                      revision: int | None = None) -> tuple[RenditionView, bytes]:
        """The stored archival file, or PermissionDenied (audited) if ``actor`` may not have it."""
        ...

    def masked_titles(self, db: Database, actor: Actor, codes: list[str]) -> dict[str, str]:
        """By code, the titles ``actor`` must read masked (stored titles carry customer names)."""
        ...


class WholeRecords:
    """No masking: what the archive does on its own."""

    def shown(self, actor: Actor, record: RecordView) -> RecordView:
        return record

    def archival_file(self, db: Database, clock: Clock, store: RenditionStore, actor: Actor, code: str,
                      revision: int | None = None) -> tuple[RenditionView, bytes]:
        return rendition_file(db, clock, store, actor, code, revision)

    def masked_titles(self, db: Database, actor: Actor, codes: list[str]) -> dict[str, str]:
        return {}


def current_disclosure() -> Disclosure:
    """The app's disclosure rules (request glue: call it from views and API modules)."""
    found: Disclosure = current_app.extensions.get(DISCLOSURE) or WholeRecords()
    return found


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
