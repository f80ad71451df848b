"""What the archive needs from the forms package, and what it offers search, as typed ports.

The archive keeps numbered records, files them and destroys them, but the rules it applies
come from the form specs, which only the forms package reads: when a form's record is ready
for filing, how a catalogue is printed (the renderer and the forms' names), what destroying a
record also removes (the destruction register is itself a form), and which personal data a
reader may see. The composition root (``core.app``) builds an :class:`ArchivePorts` from the
forms package's providers and hands it to ``archive.init_app``; the archive's pages, API and
commands read it with :func:`archive_ports`.

The archive in turn offers search :func:`granted_now`: the records an access grant opens.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from archive.files import FileStore
from archive.grants import granted_codes
from archive.records import RecordView
from archive.renditions import RenditionView, rendition_file
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from core.ports import port
from core.web import services

if TYPE_CHECKING:
    from archive.catalogue import CataloguePrinter
    from archive.disposal import DisposalHooks
    from archive.filing import FilingRule


class Disclosure(Protocol):
    """What the archive's pages and API hand out of a record to one person (the forms package
    masks personal fields where the reader has no need, as the spec says)."""

    def shown(self, actor: Actor, record: RecordView) -> RecordView:
        """``record`` as ``actor`` may read it (personal fields masked where they have no need)."""
        ...

    def archival_file(self, db: Database, clock: Clock, store: FileStore, actor: Actor, code: str,
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

    def archival_file(self, db: Database, clock: Clock, store: FileStore, actor: Actor, code: str,
                      revision: int | None = None) -> tuple[RenditionView, bytes]:
        return rendition_file(db, clock, store, actor, code, revision)

    def masked_titles(self, db: Database, actor: Actor, codes: list[str]) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class ArchivePorts:
    """The archive's needs; the callables run inside an app context (they read the app's
    database, clock and renderer), so each call sees the current specs."""

    #: Each form's filing rule, by form code (its current version decides).
    filing_rules: Callable[[], dict[str, FilingRule]]
    #: The catalogue's PDF printer.
    catalogue_printer: Callable[[], CataloguePrinter]
    #: What destroying a record does beyond the archive's own tables.
    disposal_hooks: Callable[[], DisposalHooks]
    disclosure: Disclosure = field(default_factory=WholeRecords)


def archive_ports() -> ArchivePorts:
    """The current app's :class:`ArchivePorts` (request or command glue)."""
    return port(ArchivePorts)


def granted_now(actor: Actor) -> Collection[str]:
    """Offered to search (``SearchPorts.granted``): the records access grants open to ``actor``
    now, beyond their own scope."""
    if actor.sees_all_departments:
        return ()
    with services().db.reading() as session:
        return granted_codes(session, actor, services().clock.now())
