"""The renewal register's monthly filing (按月归档): the month's RS records ordered by lapse
date, then service staff member, and the printed catalogue (案卷目录) that goes with them.

A record belongs to the month it was handed in (submitted), in the office's zone. Records
without a lapse date (policies still in their grace period) come after the lapsed ones, by due
date. Listing and printing are audited like any list of records; the policyholder is masked for
whoever does not need it (:mod:`forms.disclosure`), on the page and the catalogue alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from archive.models import Record
from archive.records import visible_to
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database
from forms.disclosure import shown_fields
from forms.names import load_names
from forms.pdf.render import Renderer
from forms.printing import LAYOUTS
from forms.versions import current_spec

FORM = "RS"
#: What a filing entry copies of the record's data that may be personal (attribute → field).
PERSONAL_COLUMNS = {"policyholder": "policyholder"}


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


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    if first.month == 12:
        following = first.replace(year=first.year + 1, month=1)
    else:
        following = first.replace(month=first.month + 1)
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


def monthly_filing(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, month: date, *,
                   purpose: str = "list") -> list[FilingEntry]:
    start, end = month_bounds(month, zone)
    spec = current_spec(db, FORM)
    with db.transaction() as session:
        records = session.scalars(select(Record).where(
            Record.form_code == FORM, visible_to(actor), Record.submitted_at >= start,
            Record.submitted_at < end)).all()
        ordered = sorted(records, key=lambda r: (
            r.data.get("lapse_date") is None, r.data.get("lapse_date") or r.data.get("due_date", ""),
            r.data.get("service_staff", ""), r.code))
        trail.append(session, at=clock.now(), actor=actor, action=f"record.{purpose}", object_type="record",
                     object_id="", detail={"filing": f"{FORM} {start.date().isoformat()[:7]}",
                                           "codes": [r.code for r in ordered]})
    names = load_names(db)
    entries = [FilingEntry(n, r.code, r.data.get("policy_no", ""), r.data.get("policyholder", ""),
                           r.data.get("due_date", ""), r.data.get("lapse_date", ""),
                           r.data.get("service_staff", ""),
                           spec.workflow.states.get(r.state, {}).get("zh", r.state),
                           local(r.submitted_at, zone).date().isoformat(),
                           dict(spec.workflow.states.get(r.state, {})),
                           names.user(r.data.get("service_staff")))
               for n, r in enumerate(ordered, start=1)]
    return shown_fields(db, actor, entries, PERSONAL_COLUMNS)  # the policyholder, masked where not needed


def catalogue_pdf(renderer: Renderer, entries: list[FilingEntry], month: date, *, company: str,
                  printed_at: datetime) -> bytes:
    """The printed catalogue of one month's renewal registers."""
    html = LAYOUTS.get_template("catalogue.html").render(
        entries=entries, month=month.strftime("%Y年%m月"), company=company,
        printed_at=printed_at.strftime("%Y-%m-%d %H:%M"), has_logo=renderer.logo is not None)
    return renderer.render(html).pdf
