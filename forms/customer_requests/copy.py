"""The customer's copy of a personal data request's outcome, as one PDF (WeasyPrint): what is
held of the customer in each record the decider put into the copy (a see request), then the
statement, in Chinese and English, of what was corrected, what was anonymised and what is kept,
why and until when.

The copy shows the customer's own data and masks other people's: the staff who filled or
handled a record (user and signature fields, the filler), and any personal field that is not
the customer's own (a contact person, a related person). The customer's own fields are those
the customer links use (name, phone, policy and order numbers: the setting CUSTOMER_FIELDS).
It is made when asked for, from the records as they are then (after carrying out: what is
still held), never stored: it is not a second copy of the data. Each record put into it is
audited as read (``record.copy``), and the copy as ``customer_request.copy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from archive.models import Record
from archive.records import get_record
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock, local
from core.db import Database
from forms.customer_requests.models import RequestItem
from forms.fields import REGISTRY, Reading, is_empty
from forms.names import Names
from forms.printing import LAYOUTS
from forms.spec.model import FieldSpec, FormSpec
from forms.versions import spec_version

FORM = "PR"
MASK = "＊＊＊（他人信息 other person）"
STAFF_TYPES = frozenset({"user", "signature"})
OWN_DEFAULT = ("customer_name", "policyholder", "phone", "policy_no", "order_no")
OUTCOME_TEXT = {"anonymised": ("已删除（匿名化）", "deleted (anonymised)"), "kept": ("保留", "kept"),
                "corrected": ("已更正（勘误）", "corrected (勘误)"),
                "already anonymised": ("此前已匿名化", "already anonymised before"),
                "gone": ("已不存在", "no longer held")}


@dataclass(frozen=True)
class CopyRequest:
    db: Database
    clock: Clock
    zone: ZoneInfo
    company: str
    own_fields: frozenset[str]


def own_fields(customer_fields: dict[str, Any] | None) -> frozenset[str]:
    """The customer's own fields from CUSTOMER_FIELDS (its listed names), with the defaults."""
    names = set(OWN_DEFAULT)
    for value in (customer_fields or {}).values():
        if isinstance(value, list | tuple):
            names |= {str(v) for v in value}
    return frozenset(names)


def shown_value(field: FieldSpec, value: Any, own: frozenset[str]) -> str:
    """A value as the customer's copy prints it: other people's data masked."""
    if is_empty(value):
        return "—"
    kind = REGISTRY[field.type]
    if field.type in STAFF_TYPES or (kind.holds_personal(field) and field.name not in own):
        return MASK
    return kind.change_on_paper(field, value, Reading("zh", Names())) or "—"


def record_section(spec: FormSpec, record: Record, zone: ZoneInfo, own: frozenset[str]) -> dict[str, Any]:
    return {"code": record.code, "title": spec.title.get("zh", spec.code),
            "title_en": spec.title.get("en", ""),
            "submitted": local(record.submitted_at, zone).strftime("%Y-%m-%d"),
            "fields": [{"label": f.label.get("zh", f.name), "label_en": f.label.get("en", ""),
                        "value": shown_value(f, record.data.get(f.name), own)}
                       for f in spec.fields if not is_empty(record.data.get(f.name))]}


def customer_copy(settings: CopyRequest, renderer: Any, actor: Actor, code: str) -> bytes:
    """The copy and statement of request ``code`` as PDF bytes, for ``actor`` (audited)."""
    request = get_record(settings.db, settings.clock, actor, code, purpose="print")
    if request.form_code != FORM:
        raise NotFound(code)
    if request.state not in ("carried_out", "closed") or not actor.covers(request.department_code):
        raise PermissionDenied(_("The customer's copy of %(code)s is ready once the request is carried out, "
                                 "for its department's staff.", code=code))
    now = settings.clock.now()
    with settings.db.transaction() as session:
        rows = session.execute(select(RequestItem, Record)
                               .join(Record, Record.code == RequestItem.record_code)
                               .where(RequestItem.request_code == code).order_by(Record.submitted_at)).all()
        sections = [record_section(spec_version(settings.db, r.form_code, r.form_version), r, settings.zone,
                                   settings.own_fields) for item, r in rows if item.include]
        statement = [_statement_line(item) for item, _r in rows if item.deletion or item.correction]
        for section in sections:
            trail.append(session, at=now, actor=actor, action="record.copy", object_type="record",
                         object_id=section["code"], detail={"request": code})
        trail.append(session, at=now, actor=actor, action="customer_request.copy", object_type="record",
                     object_id=code, detail={"records": [s["code"] for s in sections],
                                             "statement": len(statement)})
    html = LAYOUTS.get_template("customer_request.html").render(
        company=settings.company, code=code, customer=request.data.get("customer_name", ""),
        printed_at=local(now, settings.zone).strftime("%Y-%m-%d %H:%M"), sections=sections,
        statement=statement, has_logo=False)
    return renderer.render(html).pdf


def _statement_line(item: RequestItem) -> dict[str, str]:
    zh, en = OUTCOME_TEXT.get(item.outcome or "", ("待执行", "not yet carried out"))
    until = item.keep_until.isoformat() if item.keep_until else ""
    return {"code": item.record_code, "outcome_zh": zh, "outcome_en": en, "reason": item.keep_reason or "",
            "until": until, "kept": item.outcome == "kept",
            "corrected": ", ".join(sorted(item.correction or {}))}

