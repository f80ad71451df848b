"""What the destruction register (销毁清册) says of each record and of the destruction, as DA/T
practice lays it out: 序号, 档号, 题名, 年度, 保管期限, 已保管年限, 页数, 销毁原因 per record; the
appraisal (鉴定: who, when, the decision), the approver, the executor and the two witnesses
(监销人) with the moment each confirmed.

Computed inside the destroying transaction from the record row before it is deleted (the
register is the only place these survive, with the tombstone); the forms layer files it as a
permanent DD record and prints it (forms/registers.py, forms/register_print.py). Titles come
masked from the forms layer (``DisposalHooks.masked_title``): the register is kept forever and
holds nothing personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.archival_codes import reference_of, retention_code
from archive.models import Record, Rendition, RetentionClass
from archive.renditions import ARCHIVAL
from archive.retention import ClassView, class_view, trigger_day
from archive.witnesses import WitnessView
from core.audit.models import AuditEvent
from core.clock import local


@dataclass(frozen=True)
class Destroyed:
    """One line of the register (no personal data: the title is masked)."""

    code: str
    retention_class: str
    formed: date
    kept_until: date | None
    outcome: str  # destroyed; held, kept (spared at execution); gone (no such record)
    archival_code: str | None = None
    title: str = ""
    year: int | None = None
    retention: str = ""  # the 档号's retention level: Y, D30, D10 …
    years_kept: int | None = None
    pages: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class RegisterData:
    """The destruction as the register records it; people as "name（username）"."""

    list_id: int
    proposed_by: str  # the appraiser: the proposal is the appraisal (鉴定)
    approved_by: str
    approved_at: datetime
    executed_by: str
    entries: tuple[Destroyed, ...]
    appraisal: str = ""
    appraised_at: datetime | None = None
    executed_at: datetime | None = None
    witnesses: tuple[WitnessView, ...] = ()


def entry_for(session: Session, record: Record, title: str, now: datetime, zone: ZoneInfo,
              outcome: str = "destroyed") -> Destroyed:
    """The register's line for ``record`` (still in the database), destroyed at ``now``."""
    cls = _class(session, record.retention_class)
    reference = reference_of(record)
    filed = local(record.filed_at or record.submitted_at, zone).date()
    start = trigger_day(cls, record, zone) if cls else filed
    return Destroyed(
        code=record.code, retention_class=record.retention_class or "",
        formed=local(record.submitted_at, zone).date(), kept_until=record.retention_until, outcome=outcome,
        archival_code=record.archival_code, title=title,
        year=reference.year if reference else local(record.submitted_at, zone).year,
        retention=reference.retention if reference else (retention_code(cls) if cls else ""),
        years_kept=years_between(start, local(now, zone).date()),
        pages=_pages(session, record), reason=_reason(session, record, cls))


def years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (a year is kept once its anniversary is reached;
    29 February counts its anniversary on 1 March)."""
    years = end.year - start.year
    return max(0, years - (1 if (end.month, end.day) < (start.month, start.day) else 0))


def _class(session: Session, code: str | None) -> ClassView | None:
    if not code or session.scalar(select(RetentionClass.id).where(RetentionClass.code == code)) is None:
        return None
    return class_view(session, code)


def _pages(session: Session, record: Record) -> int | None:
    """The pages of the archival copy of the filed revision (the one the catalogue counts)."""
    revision = record.filed_revision or record.revision
    return session.scalar(select(Rendition.pages).where(
        Rendition.record_id == record.id, Rendition.revision == revision, Rendition.kind == ARCHIVAL))


def _reason(session: Session, record: Record, cls: ClassView | None) -> str:
    """Why it goes: the archivist's reason when a review cleared it for destruction, else the
    retention rule whose period ended (the class's name and mandate)."""
    if record.reviewed_at is not None:
        detail = session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "record.review", AuditEvent.object_id == record.code)
            .order_by(AuditEvent.seq.desc()).limit(1))
        if detail and detail.get("keep_years") == 0 and detail.get("reason"):
            return f"复核决定销毁：{detail['reason']}"
    if cls is None:
        return f"保管期满（{record.retention_class or '—'}）"
    rule = f"{cls.name_zh}，{retention_code(cls)}"
    return f"保管期满：{rule}" + (f"；{cls.mandate}" if cls.mandate.strip() else "")
