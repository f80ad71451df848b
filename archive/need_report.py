"""The auditor's report of need-to-know reads (:mod:`archive.need_to_know`): who read records
outside their department's work, why, and how often, over a date range.

Counted from ``need_to_know_reads`` (one row per read made under a reason, written with the
read's audit event), grouped by person and reason text: the same words stated in two sessions
are one line. Auditors and administrators read it; its reading is itself audited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from archive.need_to_know_models import NeedToKnowRead, NeedToKnowReason
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor, PermissionDenied, Role
from core.db import Database

REPORT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
#: Characters a spreadsheet reads as the start of a formula: such a cell is written quoted.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class NeedLine:
    """One person's reads under one reason."""

    username: str
    display_name: str
    reason: str
    reads: int
    records: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class DateRange:
    """Days in the office's zone, both included; None: open on that side."""

    start: date | None = None
    end: date | None = None

    def bounds(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """The range as UTC instants: from the first day's midnight to the day after the last's."""
        low = datetime.combine(self.start, time(), zone) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time(), zone) if self.end else None
        return low, high


def require_report_role(actor: Actor) -> None:
    if actor.role not in REPORT_ROLES:
        raise PermissionDenied(_("Only auditors and administrators read the need-to-know report."))


def need_report(db: Database, at: datetime, actor: Actor, days: DateRange, zone: ZoneInfo) -> list[NeedLine]:
    """Reads under a stated reason in ``days``, by person and reason, most reads first; audited
    as ``need_to_know.report``."""
    require_report_role(actor)
    low, high = days.bounds(zone)
    reads = NeedToKnowRead
    query = (select(User.username, User.display_name, NeedToKnowReason.reason, func.count(reads.id),
                    func.count(func.distinct(reads.record_code)), func.min(reads.at), func.max(reads.at))
             .join(NeedToKnowReason, NeedToKnowReason.id == reads.reason_id)
             .join(User, User.id == NeedToKnowReason.user_id)
             .group_by(User.username, User.display_name, NeedToKnowReason.reason))
    if low is not None:
        query = query.where(reads.at >= low)
    if high is not None:
        query = query.where(reads.at < high)
    with db.reading() as session:
        lines = [NeedLine(name, shown or name, reason, count, records, first, last)
                 for name, shown, reason, count, records, first, last in session.execute(query)]
    trail.append_alone(db, at=at, actor=actor, action="need_to_know.report", object_type="audit",
                       detail={"from": days.start.isoformat() if days.start else None,
                               "to": days.end.isoformat() if days.end else None, "lines": len(lines)})
    return sorted(lines, key=lambda line: (-line.reads, line.username, line.reason))


def as_csv(lines: list[NeedLine], zone: ZoneInfo) -> str:
    """The report as CSV (UTF-8 with the BOM spreadsheets need); times in the office's zone."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "name", "reason", "reads", "records", "first_read", "last_read"])
    for line in lines:
        writer.writerow([_cell(line.username), _cell(line.display_name), _cell(line.reason), line.reads,
                         line.records, line.first_at.astimezone(zone).isoformat(),
                         line.last_at.astimezone(zone).isoformat()])
    return "\ufeff" + out.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (a reason is anyone's words)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
