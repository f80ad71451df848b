"""The worker's side of the filing stamp (归档章): the handler of ``archive.filing_stamp``, queued
by the filing transaction, renders the filed revision's archival copy again with the stamp and
has :func:`archive.filing_stamp.replace_with_stamped` put it in place of the unstamped copy
(why, and the rules of the replacement: archive/filing_stamp.py).

The handler is idempotent: a copy stamped already, a record destroyed or anonymised since (its
rows gone), or one without a 档号 is nothing to do; a failure (a render, the store, a page count
that moved) raises, and the outbox retries it, the unstamped copy staying in place meanwhile.
"""

from __future__ import annotations

import logging

from archive.filing_stamp import STAMP_TOPIC, replace_with_stamped, stamp_due
from archive.records import record_at_revision
from archive.stores import file_store
from core.outbox.queue import Task
from core.web import services
from forms.pdf.archival import render_stored_revision

TOPIC = STAMP_TOPIC
log = logging.getLogger(__name__)


def handle(task: Task) -> None:
    """Outbox handler: stamp the archival copy of ``task.subject`` at the payload's revision."""
    s = services()
    revision = int(task.payload["revision"])
    with s.db.reading() as session:
        due = stamp_due(session, task.subject, revision)
        record = record_at_revision(session, task.subject, revision) if due else None
    if due is None or record is None:
        log.info("filing stamp of %s r%d: nothing to do (stamped already, no 档号 or no copy)",
                 task.subject, revision)
        return
    made = render_stored_revision(record, due.reference)
    replaced = replace_with_stamped(s.db, s.clock, file_store(), code=record.code, revision=revision,
                                    due=due, pdf=made.pdf, pages=made.pages)
    if replaced is not None:
        log.info("%s r%d stamped %s: sha256 %s replaces %s", record.code, revision, replaced.archival_code,
                 replaced.sha256, replaced.replaced_sha256)
