"""The forms side of disposal: the destruction register (销毁清册) filed as a DD record, each
destroyed record's title masked for it, and forgetting what the forms package keeps about a
destroyed record (its visit claims, its search entry). All run inside archive.disposal's
destroying transaction; the register's printed layout is forms/register_print.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.orm import Session

from archive.destruction_register import Destroyed, RegisterData
from archive.disposal import DisposalHooks
from archive.models import Record
from archive.records import create_record
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database
from forms.masking import masked_data
from forms.models import CustomerClaim
from forms.pdf.archival import enqueue_rendition
from forms.privacy_notices import notice_for_form
from forms.search_documents import enqueue_indexing
from forms.submission import summary
from forms.validation import validate
from forms.versions import current_spec, spec_version

REGISTER_FORM = "DD"


def register_data(register: RegisterData, zone: ZoneInfo) -> dict[str, Any]:
    """The DD record's data: the appraisal, the approval, the execution and its two witnesses
    with the moment each confirmed, and one line per record as the 销毁清册 lists it. Times are
    the clock's, fraction of a second included, written in office time as a typed time would
    be (the register prints them as they are)."""
    def at(moment: datetime | None) -> str:
        return local(moment or register.approved_at, zone).isoformat()

    return {
        "list_no": f"DL-{register.list_id}",
        "appraised_by": register.proposed_by, "appraised_at": at(register.appraised_at),
        "appraisal": register.appraisal or "—",
        "approved_by": register.approved_by, "approved_at": at(register.approved_at),
        "executed_by": register.executed_by, "executed_at": at(register.executed_at),
        "witnesses": [{"name": w.signed, "confirmed_at": at(w.confirmed_at)} for w in register.witnesses],
        "destroyed_count": sum(1 for e in register.entries if e.outcome == "destroyed"),
        "items": [_line(number, entry) for number, entry in enumerate(register.entries, start=1)],
    }


def _line(number: int, entry: Destroyed) -> dict[str, Any]:
    """One line of the register, without the cells a record that was already gone lacks."""
    cells = {"seq": number, "code": entry.code, "archival_code": entry.archival_code, "title": entry.title,
             "year": entry.year, "retention": entry.retention, "years_kept": entry.years_kept,
             "pages": entry.pages, "reason": entry.reason, "retention_class": entry.retention_class,
             "outcome": entry.outcome}
    return {name: value for name, value in cells.items() if value not in (None, "")}


def disposal_hooks(db: Database, clock: Clock, zone: ZoneInfo) -> DisposalHooks:
    """What archive.disposal.execute calls inside the destroying transaction."""

    def file_register(session: Session, actor: Actor, register: RegisterData) -> str:
        """The register as a DD record; its archival PDF/A and filing follow from the outbox."""
        spec = current_spec(db, REGISTER_FORM)
        data = validate(spec, register_data(register, zone), zone=zone)
        record = create_record(session, clock=clock, zone=zone, actor=actor, form_code=spec.code,
                               form_version=spec.version, state=spec.workflow.initial,
                               title=summary(spec, data), data=data, department=actor.department,
                               notice=notice_for_form(session, spec.code))  # none unless set for DD
        enqueue_rendition(session, record)
        enqueue_indexing(session, record.code, record.revision, record.submitted_at)
        return record.code

    def forget(session: Session, code: str) -> None:
        """Delete the record's visit claims (they hold phones); queue its index removal."""
        session.execute(delete(CustomerClaim).where(CustomerClaim.record_code == code))
        enqueue_indexing(session, code, 0, clock.now())

    def masked_title(record: Record) -> str:
        """The title as a reader without the need of personal data reads it (the disposal
        pages' masking), whoever executes: the register is kept forever and read by many."""
        spec = spec_version(db, record.form_code, record.form_version)
        return summary(spec, masked_data(spec, record.data or {}))[:200]

    return DisposalHooks(file_register=file_register, forget=forget, masked_title=masked_title)
