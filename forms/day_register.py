"""The day's visit registrations, for the supervisor who confirms them (主管每日确认) row by row,
and the day the register opens on: the latest with a registration still awaiting confirmation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from archive.models import Record
from archive.records import RecordView, record_view, visible_to
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms.spec_disclosure import shown_records

FORM = "VR"
CONFIRM = "confirm"
#: The state of a registration the supervisor has still to confirm (VR's initial state).
AWAITING = "registered"


def registrations_of(db: Database, clock: Clock, actor: Actor, day: date) -> list[RecordView]:
    """The visit registrations of ``day`` that ``actor`` may see, in code order, as they may read
    them (personal fields masked where not needed); audited."""
    with db.reading() as session:
        records = session.scalars(select(Record).where(
            Record.form_code == FORM, visible_to(actor),
            Record.data["visit_date"].as_string() == day.isoformat()).order_by(Record.code)).all()
        views = [record_view(session, r) for r in records]
    trail.append_alone(db, at=clock.now(), actor=actor, action="record.list", object_type="record",
                       object_id="", detail={"day": day.isoformat(), "codes": [v.code for v in views]})
    return shown_records(db, actor, views)  # customers' names masked where not needed


def latest_unconfirmed_day(db: Database, actor: Actor) -> date | None:
    """The latest visit day with a registration ``actor`` may see that awaits confirmation, or
    None. Only the dates are read (ISO strings, so the greatest is the latest); nothing of a
    record is shown, so this is not audited as a read."""
    with db.reading() as session:
        latest = session.scalar(select(func.max(Record.data["visit_date"].as_string())).where(
            Record.form_code == FORM, visible_to(actor), Record.state == AWAITING))
    try:
        return date.fromisoformat(latest) if latest else None
    except ValueError:  # not a date: nothing sensible to open on
        return None
