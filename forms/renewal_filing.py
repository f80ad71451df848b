"""The renewal register's monthly filing (按月归档): the month's RS records ordered by lapse
date, then service staff member, and the printed catalogue (案卷目录) that goes with them.

A record belongs to the month it was handed in (submitted), in the office's zone. Records
without a lapse date (policies still in their grace period) come after the lapsed ones, by due
date. Listing and printing are audited like any list of records; the policyholder is masked for
whoever does not need it (:mod:`forms.spec_disclosure`), on the page and the catalogue alike.

A month of a big office holds thousands of registers, so the page shows one page of them:
the database orders the month (the index on form, submission time finds it; the filing order's
keys are read from the stored data by the database, not by decoding every record in Python)
and hands back only that page's rows and columns. The printed catalogue lists the whole month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select

from archive.models import Record
from archive.records import visible_to
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database
from forms.names import load_names
from forms.pdf.render import Renderer
from forms.printing import LAYOUTS
from forms.spec.model import FormSpec
from forms.spec_disclosure import shown_fields
from forms.versions import current_spec

FORM = "RS"
#: What a filing entry copies of the record's data that may be personal (attribute → field).
PERSONAL_COLUMNS = {"policyholder": "policyholder"}
#: Registers on one page of the filing (the printed catalogue has the whole month).
PER_PAGE = 50
#: The stored fields a filing entry shows, read by the database from the record's data.
SHOWN_FIELDS = ("policy_no", "policyholder", "due_date", "lapse_date", "service_staff")


@dataclass(frozen=True)
class FilingEntry:
    number: int
    code: str
    policy_no: str
    policyholder: str
    due_date: str
    lapse_date: str
    staff: str  # the service staff member's username (the API's key)
    state: str  # as labelled in the spec (Chinese, for the printed catalogue)
    handed_in: str
    state_label: dict[str, str] = field(default_factory=dict)  # zh/en, for the page's language
    staff_name: str = ""  # the service staff member's display name, for people


@dataclass(frozen=True)
class FilingPage:
    """One page of a month's filing; ``total`` is the month's count (one month, never more)."""

    month: date
    entries: list[FilingEntry]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    if first.month == 12:
        following = first.replace(year=first.year + 1, month=1)
    else:
        following = first.replace(month=first.month + 1)
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


def _stored(name: str) -> ColumnElement[Any]:
    """One field of the record's stored data as text (JSON on SQLite, JSONB on PostgreSQL)."""
    return Record.data[name].as_string()


def _month_of(actor: Actor, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [Record.form_code == FORM, Record.submitted_at >= start, Record.submitted_at < end,
            visible_to(actor)]


#: What a filing entry shows, and the filing order: lapsed registers first by lapse date, then
#: those in their grace period by due date; then by service staff member and code. Built once.
_SHOWN = (Record.code, Record.state, Record.submitted_at, *(_stored(f) for f in SHOWN_FIELDS))
_LAPSE, _DUE, _STAFF = _stored("lapse_date"), _stored("due_date"), _stored("service_staff")
_FILING_ORDER = (_LAPSE.is_(None), func.coalesce(_LAPSE, _DUE, ""), func.coalesce(_STAFF, ""), Record.code)


def _in_filing_order(actor: Actor, start: datetime, end: datetime) -> Select[Any]:
    """The month's registers the actor may see, in filing order, with the columns shown."""
    return select(*_SHOWN).where(*_month_of(actor, start, end)).order_by(*_FILING_ORDER)


def monthly_filing(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, month: date, *,
                   purpose: str = "list") -> list[FilingEntry]:
    """The whole month in filing order (the printed catalogue); audited as ``record.<purpose>``."""
    start, end = month_bounds(month, zone)
    with db.reading() as session:
        rows = session.execute(_in_filing_order(actor, start, end)).all()
    return _entries(db, clock, zone, actor, start, rows, first=1, purpose=purpose)


def filing_page(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, month: date, *, page: int = 1,
                per_page: int | None = None) -> FilingPage:
    """One page (``per_page`` registers, default :data:`PER_PAGE`) of the month in filing order
    (a page past the end gives the last one); audited as ``record.list`` with the codes shown
    and the page."""
    start, end = month_bounds(month, zone)
    per_page = per_page or PER_PAGE
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Record).where(*_month_of(actor, start, end)))
        page = min(max(1, page), max(1, -(-(total or 0) // per_page)))
        rows = session.execute(_in_filing_order(actor, start, end)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    entries = _entries(db, clock, zone, actor, start, rows, first=(page - 1) * per_page + 1, purpose="list",
                       page=page)
    return FilingPage(month.replace(day=1), entries, page, per_page, total or 0)


def _entries(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, start: datetime, rows: list[Any], *,
             first: int, purpose: str, page: int | None = None) -> list[FilingEntry]:
    """The rows as filing entries numbered from ``first``, audited (the read is done: the audit
    append is a short write transaction of its own), the policyholder masked where not needed."""
    detail: dict[str, Any] = {"filing": f"{FORM} {start.date().isoformat()[:7]}",
                              "codes": [row[0] for row in rows]}
    if page is not None:
        detail["page"] = page
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action=f"record.{purpose}", object_type="record",
                     object_id="", detail=detail)
    spec, names = current_spec(db, FORM), load_names(db)
    entries = [_entry(spec, names.user, zone, number, row) for number, row in enumerate(rows, start=first)]
    return shown_fields(db, actor, entries, PERSONAL_COLUMNS)  # the policyholder, masked where not needed


def _entry(spec: FormSpec, person: Any, zone: ZoneInfo, number: int, row: Any) -> FilingEntry:
    code, state, submitted_at, policy_no, policyholder, due_date, lapse_date, staff = row
    label = spec.workflow.states.get(state, {})
    return FilingEntry(number, code, policy_no or "", policyholder or "", due_date or "", lapse_date or "",
                       staff or "", label.get("zh", state), local(submitted_at, zone).date().isoformat(),
                       dict(label), person(staff))


def catalogue_pdf(renderer: Renderer, entries: list[FilingEntry], month: date, *, company: str,
                  printed_at: datetime) -> bytes:
    """The printed catalogue of one month's renewal registers."""
    html = LAYOUTS.get_template("catalogue.html").render(
        entries=entries, month=month.strftime("%Y年%m月"), company=company,
        printed_at=printed_at.strftime("%Y-%m-%d %H:%M"), has_logo=renderer.logo is not None)
    return renderer.render(html).pdf
