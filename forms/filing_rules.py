"""The forms side of filing: each form's filing rule from its current spec, and the step that
files a record once its archival copy is stored (called by the archival rendition's outbox
handler), so filing always follows the PDF/A it fixes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from archive.archival_backfill import give_missing
from archive.archival_numbering import current_scheme
from archive.filing import FilingRule, file_if_ready, ready_codes
from archive.filing_stamp import enqueue_stamping_given
from core.clock import Clock
from core.db import Database
from forms.search_documents import enqueue_indexing
from forms.versions import current_specs


def filing_rules(db: Database) -> dict[str, FilingRule]:
    """The filing rule of every form whose current version declares one. The current version
    decides (filing is the archive's policy at the time of filing, not at the time of filling).
    A record filed is queued for indexing again in the filing transaction: its 档号 is searchable."""
    return {code: FilingRule(spec.filing.final, spec.filing.countersign, spec.retention, enqueue_indexing)
            for code, spec in current_specs(db).items() if spec.filing is not None}


def file_record(db: Database, clock: Clock, zone: ZoneInfo, code: str, form_code: str) -> bool:
    """File ``code`` if it is ready (True if filed now)."""
    rule = filing_rules(db).get(form_code)
    return rule is not None and file_if_ready(db, clock, zone, code, rule)


def file_all_ready(db: Database, clock: Clock, zone: ZoneInfo) -> tuple[list[str], list[str]]:
    """File every ready record whose archival copy is stored: (filed, still waiting for a copy)."""
    rules = filing_rules(db)
    filed, waiting = [], []
    for code, _revision in ready_codes(db, rules):
        form = code.split("-", 1)[0]
        (filed if file_if_ready(db, clock, zone, code, rules[form]) else waiting).append(code)
    return filed, waiting


def give_missing_references(db: Database, clock: Clock) -> list[tuple[str, str]]:
    """Give the filed records that have no 档号 theirs, in filing order, once (``flask init``,
    ``archive file``): those filed before 档号 were minted. Each is queued for indexing again,
    and its stored copies from the filed revision on for their filing stamp (归档章)."""
    def after(session: Session, code: str, revision: int, at: datetime) -> None:
        enqueue_indexing(session, code, revision, at)
        enqueue_stamping_given(session, code, revision, at)

    with db.transaction() as session:
        return give_missing(session, current_scheme(), clock.now(), after=after)
