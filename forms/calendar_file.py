"""The calendar file: a year's official schedule as CSV (docs/calendar.md), parsed into dated
rows or into problems that name the line and the field, never an exception.

    # comment lines start with '#'
    date,kind,name
    2026-10-01,holiday,国庆节
    2026-10-10,workday,国庆节调休上班
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

COLUMNS = ("date", "kind", "name")
KINDS = {"holiday": False, "workday": True}
MAX_NAME = 80
#: The years a calendar date may fall in: a working-time deadline scans day by day, and a typo
#: such as 0206-10-01 or 20266-10-01 is a mistake rather than a schedule.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: The largest schedule file the admin page takes: a year is about 40 lines (1.5 KB).
MAX_BYTES = 64 * 1024


class UnreadableFile(ValueError):
    """An uploaded schedule that is not UTF-8 text; the message says so in the reader's language."""


def decode_schedule(data: bytes) -> str:
    """The text of an uploaded schedule file: UTF-8 (a byte order mark, as Excel writes one, is
    dropped). Empty, binary (a NUL byte, or not UTF-8, as a GBK export or a picture is) and
    oversized files are refused with :class:`UnreadableFile` naming the problem."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(str(_l("The file is larger than %(kb)s KB; a year's schedule is a few KB.",
                                    kb=MAX_BYTES // 1024)))
    if not data.strip():
        raise UnreadableFile(str(_l("The file is empty.")))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise UnreadableFile(str(_l("The file is not UTF-8 text. Save the schedule as CSV UTF-8 "
                                    "and choose it again.")))
    return text


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    working: bool
    name: str


@dataclass(frozen=True)
class FileProblem:
    line: int
    field: str
    message: str  # lazy: shown in the reader's language

    def __str__(self) -> str:
        if self.field not in COLUMNS:  # "line", "header": the API's keys, not words of the file
            return str(_l("Line %(line)s: %(message)s", line=self.line, message=self.message))
        return str(_l("Line %(line)s, %(field)s: %(message)s",
                      line=self.line, field=self.field, message=self.message))


def parse_schedule(text: str) -> tuple[list[ScheduleDay], list[FileProblem]]:
    """The rows of ``text`` and every problem found (rows with problems are left out)."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return [], [FileProblem(1, "date", str(_l("the file has no header line date,kind,name")))]
    header_number, header = lines[0]
    names = [cell.strip().lower() for cell in _cells(header)]
    if names != list(COLUMNS):
        return [], [FileProblem(header_number, "header",
                                str(_l("the header must be date,kind,name")))]
    days: list[ScheduleDay] = []
    problems: list[FileProblem] = []
    seen: dict[date, int] = {}
    for number, line in lines[1:]:
        row = _row(number, _cells(line), seen, problems)
        if row is not None:
            seen[row.day] = number
            days.append(row)
    return days, problems


def _cells(line: str) -> list[str]:
    """The CSV cells of one line ([] when it is not CSV at all, e.g. holds a NUL)."""
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def _row(number: int, cells: list[str], seen: dict[date, int],
         problems: list[FileProblem]) -> ScheduleDay | None:
    """One line's day, or None after adding its problems."""
    if len(cells) != len(COLUMNS):
        problems.append(FileProblem(number, "line", str(_l("expected 3 values (date,kind,name)"))))
        return None
    raw_day, kind, name = (cell.strip() for cell in cells)
    found = len(problems)
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        problems.append(FileProblem(number, "date", str(_l("not a date like 2026-10-01"))))
        day = None
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(FileProblem(number, "date", str(
            _l("the year must be from %(first)s to %(last)s", first=FIRST_YEAR, last=LAST_YEAR))))
    elif day is not None and day in seen:
        problems.append(FileProblem(number, "date", str(
            _l("the date is already on line %(line)s", line=seen[day]))))
    if kind not in KINDS:
        problems.append(FileProblem(number, "kind", str(_l("must be holiday or workday"))))
    if not name or len(name) > MAX_NAME:
        problems.append(FileProblem(number, "name", str(
            _l("must be 1 to %(most)s characters", most=MAX_NAME))))
    if len(problems) > found or day is None:
        return None
    return ScheduleDay(day, KINDS[kind], name)
