"""When a record is under a retention duty: a deletion request keeps it, says why and until when.

A record of the customer is *under a duty* — its personal data may not be deleted now — when:

1. it is **open**: not yet filed (归档); the matter is still being handled and the record is
   needed for it. Kept until it is filed and then its personal-data period has run (no date
   can be given yet: ``until`` is None);
2. it is under an active **legal hold** (法律冻结): a hold keeps the evidence intact. Kept while
   the hold lasts (``until`` None: a hold has no end date until it is released);
3. its form's **personal-data period** (the spec's ``[personal] years`` after filing, counted
   as :mod:`forms.anonymise` counts it: the anniversary of the filing day in the office's
   zone) has not run out. Kept until that day;
4. its form keeps personal data **as long as the record** (no ``[personal] years``): kept for
   the record's retention (``until`` None).

A record past all of these is not under a duty: a deletion request anonymises it now. The same
test runs when the decider decides (shown to them) and again, in the carrying-out transaction,
before a record is anonymised (a hold placed in between keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from archive.holds import is_held
from archive.models import Record
from archive.retention import add_months
from forms.spec.model import FormSpec

OPEN, HOLD, PERIOD, RECORD_LIFE = "open", "hold", "personal-period", "record-life"

#: Why a record is kept, as the decider and the customer's statement read it (both languages
#: on the statement: zh, en).
REASONS = {
    OPEN: ("记录尚未办结归档，处理该事项仍需使用",
           "the record is still open: the matter it records is being handled"),
    HOLD: ("记录处于法律冻结（诉讼、调查）期间",
           "the record is under a legal hold (litigation or investigation)"),
    PERIOD: ("记录归档后的法定/规定保存期限尚未届满",
             "the period the record must be kept after filing has not ended"),
    RECORD_LIFE: ("该类记录的个人信息须随记录保存至保管期限届满",
                  "this kind of record keeps its personal data for the record's whole retention period"),
}
LABELS = {OPEN: _l("open (not yet filed)"), HOLD: _l("under a legal hold"),
          PERIOD: _l("within its keeping period after filing"), RECORD_LIFE: _l("kept with the record")}


@dataclass(frozen=True)
class Duty:
    """Why the record must be kept (one of the kinds above) and until when (None: no date yet)."""

    kind: str
    until: date | None

    @property
    def reason_zh(self) -> str:
        return REASONS[self.kind][0]

    @property
    def reason_en(self) -> str:
        return REASONS[self.kind][1]

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


def period_end(spec: FormSpec, filed_at: datetime, zone: ZoneInfo) -> date | None:
    """The last day a filed record's personal data is kept (anonymised from the day after)."""
    if spec.personal is None or spec.personal.years is None:
        return None
    return add_months(filed_at.astimezone(zone).date(), 12 * spec.personal.years)


def duty_of(session: Session, spec: FormSpec, record: Record, today: date, zone: ZoneInfo) -> Duty | None:
    """The duty keeping ``record`` (read in the caller's transaction), or None: it may be deleted."""
    if is_held(session, record.code):
        return Duty(HOLD, None)
    if record.filed_at is None:
        return Duty(OPEN, None)
    if spec.personal is None or spec.personal.years is None:
        return Duty(RECORD_LIFE, None)
    end = period_end(spec, record.filed_at, zone)
    if end is not None and today <= end:
        return Duty(PERIOD, end)
    return None
