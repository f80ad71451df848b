"""What an administrator types on the office calendar page (and sends to its API), read into
values or refused with a message in the reader's language that names the bad value.

    parse_day("2026-10-01")                      -> date(2026, 10, 1)
    parse_day("2026-02-30")                      -> FieldProblems: February 2026 has 28 days
    parse_hours("09:00-12:00, 13:00-17:30")      -> [(09:00, 12:00), (13:00, 17:30)]
    parse_hours("")                              -> [] (no working hours: a day off)

Spans may be written as people write them: ``9:00-12:00``, ``09：00–12：00`` (full-width colon,
en dash), ``09:00~12:00``, ``09:00至12:00``, separated by commas (, ，、), semicolons or spaces.
The checks are the service's (forms.office_calendar checks the values again): each time a time
of day, each span's start before its end, no two spans overlapping.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, time
from itertools import pairwise

from flask_babel import gettext as _

from core.problems import FieldProblems
from forms.calendar_file import FIRST_YEAR, KINDS, LAST_YEAR, MAX_NAME
from forms.working_time import Span

#: At most this many characters are read from one typed value (anything longer is refused
#: before it is looked at: the hours of a day fit in a few dozen).
MAX_TYPED = 200
#: A day rarely has more than two or three spans; more is a typing mistake.
MAX_SPANS = 6
DATE = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,2})", re.ASCII)
TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
SPAN = re.compile(r"([^-~至到]+?)\s*(?:-|~|至|到)\s*([^-~至到]+)")
SPAN_BREAKS = re.compile(r"[,;、\s]+")
#: Dashes and tildes people type between two times, as the one the parser reads.
DASHES = str.maketrans({"–": "-", "—": "-", "－": "-", "‐": "-", "‑": "-", "−": "-", "～": "~", "〜": "~"})


def _typed(text: str | None, field: str) -> str:
    """The typed value in half-width form (full-width digits, colons and commas as ASCII),
    trimmed; refused when it is far too long to be a value."""
    text = text or ""
    if len(text) > MAX_TYPED:
        raise FieldProblems({field: _("Type at most %(most)s characters.", most=MAX_TYPED)})
    return unicodedata.normalize("NFKC", text).translate(DASHES).strip()


def shown(value: str) -> str:
    """A refused value as quoted in a message: control characters dropped, at most 40 characters."""
    clean = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf"))
    return clean if len(clean) <= 40 else clean[:39] + "…"


def year_asked(text: str) -> int | None:
    """A year as the page's and the API's ``?year=`` give it (four ASCII digits, from
    FIRST_YEAR to LAST_YEAR), or None when it is not one (each answers 400 in its own way)."""
    if not (text.isascii() and text.isdecimal() and len(text) == 4):
        return None
    return int(text) if FIRST_YEAR <= int(text) <= LAST_YEAR else None


def parse_day(text: str | None, field: str = "day") -> date:
    """A date typed as 2026-10-01 (or 2026/10/1), from 2000 to 2100."""
    typed = _typed(text, field)
    if not typed:
        raise FieldProblems({field: _("Enter a date such as 2026-10-01.")})
    match = DATE.fullmatch(typed)
    if match is None:
        raise FieldProblems({field: _("“%(value)s” is not a date such as 2026-10-01.", value=shown(typed))})
    year, month, day = (int(part) for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FieldProblems({field: _("“%(value)s”: the year must be from %(first)s to %(last)s.",
                                      value=shown(typed), first=FIRST_YEAR, last=LAST_YEAR)})
    if not 1 <= month <= 12:
        raise FieldProblems({field: _("“%(value)s”: there is no month %(month)s.",
                                      value=shown(typed), month=month)})
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise FieldProblems({field: _("“%(value)s” is not a date: %(year)s-%(month)02d has %(days)s days.",
                                      value=shown(typed), year=year, month=month, days=last)})
    return date(year, month, day)


def parse_kind(text: str | None, field: str = "kind") -> bool:
    """``holiday`` (a day off: False) or ``workday`` (an adjusted working day: True)."""
    kind = (text or "").strip()
    if kind not in KINDS:
        raise FieldProblems({field: _("Choose a holiday or an adjusted working day.")})
    return KINDS[kind]


def parse_name(text: str | None, field: str = "name") -> str:
    """The day's name (国庆节, 国庆节调休上班), 1 to 80 characters once trimmed, no control characters."""
    name = (text or "").strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(c) == "Cc" for c in name):
        raise FieldProblems({field: _("Name the day in 1 to %(most)s characters, such as 国庆节.",
                                      most=MAX_NAME)})
    return name


def parse_time(text: str, field: str = "hours") -> time:
    """One time of day, 00:00 to 23:59 (a span ends at 23:59 at the latest)."""
    match = TIME.fullmatch(text.strip())
    if match is None:
        raise FieldProblems({field: _("“%(value)s” is not a time such as 09:00.", value=shown(text))})
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise FieldProblems({field: _("“%(value)s” is not a time of day (00:00 to 23:59).",
                                      value=shown(text))})
    return time(hour, minute)


def parse_span(text: str, field: str = "hours") -> Span:
    """One span, ``09:00-12:00``: its start before its end."""
    typed = _typed(text, field)
    match = SPAN.fullmatch(typed)
    if match is None:
        raise FieldProblems({field: _("“%(value)s” is not a span of working hours such as 09:00-12:00.",
                                      value=shown(typed))})
    begin, end = parse_time(match.group(1), field), parse_time(match.group(2), field)
    if begin >= end:
        raise FieldProblems({field: _("“%(value)s”: the start must be before the end.", value=shown(typed))})
    return begin, end


def parse_hours(text: str | None, field: str = "hours") -> list[Span]:
    """A weekday's spans as typed on the page, in order; none (empty) is a day off."""
    typed = _typed(text, field)
    pieces = [piece for piece in SPAN_BREAKS.split(_joined(typed)) if piece]
    return checked_spans([parse_span(piece, field) for piece in pieces], field)


def _joined(typed: str) -> str:
    """Spaces around a span's dash removed, so ``09:00 - 12:00`` is one piece, not three."""
    return re.sub(r"\s*([-~至到])\s*", r"\1", typed)


def checked_spans(spans: list[Span], field: str = "hours") -> list[Span]:
    """Spans in order, refused when there are too many or two overlap (naming both)."""
    if len(spans) > MAX_SPANS:
        raise FieldProblems({field: _("At most %(most)s spans a day.", most=MAX_SPANS)})
    ordered = sorted(spans)
    for (b1, e1), (b2, e2) in pairwise(ordered):
        if e1 > b2:
            raise FieldProblems({field: _("%(first)s and %(second)s overlap.",
                                          first=span_text((b1, e1)), second=span_text((b2, e2)))})
    return ordered


def span_text(span: Span) -> str:
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"
