"""The forms side of disposal: the destruction register (销毁清册) filed as a DD record, and
forgetting what the forms package keeps about a destroyed record (its visit claims, its
search entry). Both run inside archive.disposal's destroying transaction."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.orm import Session

from archive.disposal import DisposalHooks, RegisterData
from archive.records import create_record
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database
from forms.models import CustomerClaim
from forms.pdf.archival import enqueue_rendition
from forms.search_documents import enqueue_indexing
from forms.submission import summary
from forms.validation import validate
from forms.versions import current_spec

REGISTER_FORM = "DD"


def register_data(register: RegisterData, zone: ZoneInfo) -> dict[str, Any]:
    """The DD record's data: who proposed, approved and executed, and one row per record. The
    approval time is the clock's, fraction of a second included, written in office time as a
    typed time would be (the register prints it as it is)."""
    return {
        "list_no": f"DL-{register.list_id}", "proposed_by": register.proposed_by,
        "approved_by": register.approved_by, "approved_at": local(register.approved_at, zone).isoformat(),
        "executed_by": register.executed_by,
        "destroyed_count": sum(1 for e in register.entries if e.outcome == "destroyed"),
        "items": [{"code": e.code, "retention_class": e.retention_class or "-",
                   "formed": e.formed.isoformat(),
                   **({"kept_until": e.kept_until.isoformat()} if e.kept_until else {}),
                   "outcome": e.outcome} for e in register.entries],
    }


def disposal_hooks(db: Database, clock: Clock, zone: ZoneInfo) -> DisposalHooks:
    """What archive.disposal.execute calls inside the destroying transaction."""

    def file_register(session: Session, actor: Actor, register: RegisterData) -> str:
        """The register as a DD record; its archival PDF/A and filing follow from the outbox."""
        spec = current_spec(db, REGISTER_FORM)
        data = validate(spec, register_data(register, zone), zone=zone)
        record = create_record(session, clock=clock, zone=zone, actor=actor, form_code=spec.code,
                               form_version=spec.version, state=spec.workflow.initial,
                               title=summary(spec, data), data=data, department=actor.department)
        enqueue_rendition(session, record)
        enqueue_indexing(session, record.code, record.revision, record.submitted_at)
        return record.code

    def forget(session: Session, code: str) -> None:
        """Delete the record's visit claims (they hold phones); queue its index removal."""
        session.execute(delete(CustomerClaim).where(CustomerClaim.record_code == code))
        enqueue_indexing(session, code, 0, clock.now())

    return DisposalHooks(file_register=file_register, forget=forget)
