"""Retention classes as data: how long a class of records is kept, counted from what, and what
happens at the end (destroy, review, keep permanently), with the rule's text (its mandate).

The instance starts with ``retention_defaults.toml`` (``init`` adds the classes it lacks and
never overwrites an edited one). Admins change a class through :func:`update_class`, which
checks the values and writes the change, before and after, to the audit trail. A form spec
names its class; a spec naming a class the instance does not have is not registered.
"""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.archival_codes import retention_code
from archive.models import Record, RetentionClass
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock, local
from core.db import Database
from core.problems import FieldProblems

DEFAULTS_FILE = Path(__file__).with_name("retention_defaults.toml")
TRIGGERS = ("filing", "closure", "event")
ACTIONS = ("destroy", "review", "permanent")
EDITABLE = ("name_zh", "name_en", "years", "months", "trigger", "event_field", "at_year_end", "action",
            "mandate")
MAX_YEARS = 100


class InvalidClass(FieldProblems):
    """The values cannot make a schedule; ``errors`` names each wrong one."""


@dataclass(frozen=True)
class ClassView:
    code: str
    name_zh: str
    name_en: str
    years: int
    months: int
    trigger: str
    event_field: str | None
    at_year_end: bool
    action: str
    mandate: str

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE}


def _view(row: RetentionClass) -> ClassView:
    return ClassView(row.code, row.name_zh, row.name_en, row.years, row.months, row.trigger,
                     row.event_field, row.at_year_end, row.action, row.mandate)


def problems(values: dict[str, Any]) -> dict[str, str]:
    """What keeps ``values`` from being a usable schedule (empty when nothing does)."""
    errors: dict[str, str] = {}
    for name in ("name_zh", "name_en", "mandate"):
        if not str(values.get(name) or "").strip():
            errors[name] = _("Required.")
    for name, top in (("years", MAX_YEARS), ("months", 11)):
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            errors[name] = _("A whole number from 0 to %(top)d.", top=top)
    if values.get("trigger") not in TRIGGERS:
        errors["trigger"] = _("One of: %(values)s.", values=", ".join(TRIGGERS))
    elif values["trigger"] == "event" and not str(values.get("event_field") or "").strip():
        errors["event_field"] = _("Name the date field the period counts from.")
    if values.get("action") not in ACTIONS:
        errors["action"] = _("One of: %(values)s.", values=", ".join(ACTIONS))
    elif values["action"] != "permanent" and "years" not in errors and "months" not in errors \
            and values["years"] == 0 and values["months"] == 0:
        errors["years"] = _("A class that ends needs a period of at least one month.")
    if not isinstance(values.get("at_year_end"), bool):
        errors["at_year_end"] = _("Yes or no.")
    return errors


def default_classes(path: Path = DEFAULTS_FILE) -> list[dict[str, Any]]:
    """The shipped classes as values; raises ValueError naming a broken entry."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for entry in raw.get("classes", []):
        values = {"code": entry.get("code"), "name_zh": entry.get("name", {}).get("zh"),
                  "name_en": entry.get("name", {}).get("en"), "years": entry.get("years", 0),
                  "months": entry.get("months", 0), "trigger": entry.get("trigger"),
                  "event_field": entry.get("event_field"), "at_year_end": entry.get("at_year_end", False),
                  "action": entry.get("action"), "mandate": entry.get("mandate")}
        wrong = problems(values)
        if wrong or not values["code"]:
            raise ValueError(f"{path.name}: class {values['code']!r}: {wrong or 'needs a code'}")
        found.append(values)
    return found


def ensure_defaults(db: Database, clock: Clock) -> list[str]:
    """Add the shipped classes the instance lacks; returns their codes (an edited class stays)."""
    added = []
    with db.transaction() as session:
        known = set(session.scalars(select(RetentionClass.code)))
        for values in default_classes():
            if values["code"] not in known:
                session.add(RetentionClass(**values, updated_at=clock.now()))
                added.append(values["code"])
    return added


def list_classes(db: Database) -> list[ClassView]:
    with db.reading() as session:
        return [_view(r) for r in session.scalars(select(RetentionClass).order_by(RetentionClass.code))]


def class_codes(db: Database) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(select(RetentionClass.code)))


def update_class(db: Database, clock: Clock, actor: Actor, code: str, values: dict[str, Any], *,
                 zone: ZoneInfo) -> ClassView:
    """Change a class (admins only); the audit event keeps the values before and after. The
    class's filed records are rescheduled in the same transaction: a rule applies to all."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators change retention classes."))
    values = {name: values.get(name) for name in EDITABLE}
    if values["trigger"] != "event":
        values["event_field"] = None
    wrong = problems(values)
    if wrong:
        raise InvalidClass(wrong)
    with db.transaction() as session:
        row = session.scalar(select(RetentionClass).where(RetentionClass.code == code))
        if row is None:
            raise NotFound(code)
        before = _view(row).values()
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = clock.now()
        rescheduled = _reschedule(session, _view(row), zone)
        trail.append(session, at=clock.now(), actor=actor, action="retention.update",
                     object_type="retention_class", object_id=code,
                     detail={"before": before, "after": _view(row).values(), "rescheduled": rescheduled,
                             **_retention_code_change(before, _view(row))})
        return _view(row)


def _retention_code_change(before: dict[str, Any], after: ClassView) -> dict[str, Any]:
    """When the change moves the class's 档号 retention level (D3 → D10), the event says so:
    records filed under it keep the 档号 they were given (DA/T 13: never changed), so the trail
    is where the reclassification is read; records filed from now on get the new level."""
    old = retention_code(ClassView(after.code, "", "", before["years"], before["months"], before["trigger"],
                                   before["event_field"], before["at_year_end"], before["action"], ""))
    new = retention_code(after)
    if old == new:
        return {}
    return {"retention_code": {"before": old, "after": new, "archival_codes_kept": True}}


def _reschedule(session: Session, cls: ClassView, zone: ZoneInfo) -> int:
    """Recompute the schedule of the class's filed records (those an archivist's review has
    decided keep theirs); returns how many changed."""
    changed = 0
    for record in session.scalars(select(Record).where(
            Record.retention_class == cls.code, Record.filed_at.is_not(None), Record.reviewed_at.is_(None))):
        until, action = schedule(cls, record, zone)
        if (until, action) != (record.retention_until, record.end_action):
            record.retention_until, record.end_action = until, action
            changed += 1
    return changed


def retention_end(cls: ClassView, trigger_day: date) -> date | None:
    """The last day a record is kept, counted from ``trigger_day``; None when kept permanently.
    With ``at_year_end`` the count starts on 31 December of the trigger's year."""
    if cls.action == "permanent":
        return None
    start = date(trigger_day.year, 12, 31) if cls.at_year_end else trigger_day
    return add_months(start, cls.years * 12 + cls.months)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter (29 February
    plus a year is 28 February)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def trigger_day(cls: ClassView, record: Record, zone: ZoneInfo) -> date:
    """The day the period counts from, in the office's zone. An event date the record lacks (or
    that is not a date) falls back to the filing day, so no record goes without a schedule."""
    filed = record.filed_at or record.submitted_at
    if cls.trigger == "closure" and record.closed_at is not None:
        return local(record.closed_at, zone).date()
    if cls.trigger == "event" and cls.event_field:
        value = (record.data or {}).get(cls.event_field)
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return local(filed, zone).date()
        return local(moment, zone).date() if moment.tzinfo else moment.date()
    return local(filed, zone).date()


def schedule(cls: ClassView, record: Record, zone: ZoneInfo) -> tuple[date | None, str]:
    """(last day kept, what happens after) for a filed record under ``cls``."""
    return retention_end(cls, trigger_day(cls, record, zone)), cls.action


def class_view(session: Session, code: str) -> ClassView:
    row = session.scalar(select(RetentionClass).where(RetentionClass.code == code))
    if row is None:
        raise NotFound(f"retention class {code!r}")
    return _view(row)
