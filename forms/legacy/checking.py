"""Checking one row of a legacy register: every problem by its column, or the record it makes.

Field cells go through :func:`forms.legacy.cells.read_field` and then the one authoritative
check, :func:`forms.validation.validate`, as a submission does; the fixed columns are read
here. A row's problems are all collected (not the first only), each naming the column by its
header as the sheet has it. Codes are checked against each other within the file here, and
against the database's records and tombstones in batches by :mod:`forms.legacy.service`.

What a legacy row keeps and how (decisions, said once here):

- **Code**: ``FORM-YYYY-NNNNNN`` (case and zero padding as written are accepted and written
  canonically); it must be of the row's form and of the year of the row's date (in the
  office's zone: a code's year is its record's year everywhere else, and the catalogue files
  by it). Gaps and numbers beyond the counter are fine; a code taken twice is not. A row with
  no code gets the next code of its form and year after every imported one.
- **Date**: the record's submission time (a date alone is 00:00 office time); not in the future.
- **State**: a state of the form's workflow by key or label; empty means the first final state
  (a paper register holds finished forms). A record in a final state is filed at its filing
  date (the ``filed at`` column, else its date) and enters retention from there; one in
  another state is imported open, into the workflow, and filed when it gets there.
- **People**: see :mod:`forms.legacy.people`; a user field naming no user keeps the name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from archive.numbering import format_code
from core.i18n import pick
from forms.fields import BuildContext, ParseError
from forms.fields.scalar import DateTime, parse_moment
from forms.legacy.cells import read_field, reference_kind
from forms.legacy.columns import Column, Layout, SheetLayout, header_key, listed
from forms.legacy.people import Directory
from forms.legacy.scans import Scan, ScanFolder, ScanProblem
from forms.legacy.sheets import Cell, Row
from forms.spec.model import FieldSpec, FormSpec
from forms.validation import InvalidData, validate

#: The earliest year a legacy record may be dated (:func:`read_moment`).
EARLIEST_YEAR = 1901
CODE = re.compile(r"^([A-Za-z]{1,8})-(\d{4})-(\d{1,6})$")
_MOMENT = FieldSpec(name="date", type="datetime", label={})


@dataclass(frozen=True)
class Problem:
    """One problem: where (sheet, row, column as headed; "" for the row as a whole) and what."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class LegacyRow:
    """A row that can be imported: everything the write needs, as plain JSON-able values."""

    sheet: str
    row: int
    form: str
    version: int
    code: str | None
    year: int
    seq: int | None
    submitted_at: datetime
    filed_at: datetime | None
    submitted_by: str | None
    department: str | None
    state: str
    data: dict[str, Any]
    people: dict[str, str] = field(default_factory=dict)
    scan: dict[str, Any] | None = None


@dataclass
class RowCheck:
    """What checking one row found: its problems, or the row to import (and its scan's name)."""

    sheet: str
    problems: list[Problem] = field(default_factory=list)
    row: LegacyRow | None = None
    scan: Scan | None = None
    code_header: str = ""  # the code column's header, for a problem found later (a code taken)


class RowChecker:
    """Checks rows of one import (the specs, users and departments read once)."""

    def __init__(self, specs: dict[str, FormSpec], directory: Directory, zone: ZoneInfo, now: datetime,
                 scans: ScanFolder, locale: str) -> None:
        self.specs, self.directory, self.zone, self.now = specs, directory, zone, now
        self.scans, self.locale = scans, locale
        self.ctx = BuildContext(locale=locale, users=directory.usernames(), departments=directory.codes(),
                                zone_name=zone.key)
        self.codes: dict[str, tuple[str, int]] = {}  # code → (sheet, row) first seen
        self.usernames = frozenset(directory.user_ids)
        self.department_codes = frozenset(directory.department_ids)

    def check(self, layout: SheetLayout, row: Row) -> RowCheck:
        found = RowCheck(layout.sheet)
        spec = self._form(layout, row, found)
        if spec is None:
            return found
        columns = layout.layouts[spec.code]
        data, people = self._fields(columns, layout, row, found)
        moment = self._moment(columns, row, "date", found, required=True)
        filed = self._moment(columns, row, "filed_at", found, required=False)
        state = self._state(columns, spec, row, found)
        department = self._department(columns, spec, row, found)
        submitter = self._person(columns, row, people)
        code = self._code(columns, spec, row, moment, layout.sheet, found)
        found.scan = self._scan(columns, row, found)
        if moment is not None and filed is not None and filed < moment:
            self._add(found, row, columns.fixed("filed_at"),
                      _("The filing date is before the record's date."))
        if found.problems or moment is None or state is None:
            return found
        year = moment.astimezone(self.zone).year
        final = spec.filing is not None and state in spec.filing.final
        found.row = LegacyRow(
            layout.sheet, row.number, spec.code, spec.version, code[0] if code else None, year,
            code[1] if code else None, moment, (filed or moment) if final else None, submitter,
            department, state, data, people)
        return found

    # -- the form and its fields ------------------------------------------------------------

    def _form(self, layout: SheetLayout, row: Row, found: RowCheck) -> FormSpec | None:
        if layout.form_column is None:
            return next(iter(layout.layouts.values())).form
        text = _text(_cell(row, layout.form_column)).upper()
        spec = self.specs.get(text) if text in layout.layouts else None
        if spec is None:
            self._add(found, row, layout.form_column,
                      _("“%(form)s” is not a form: one of %(forms)s.", form=text,
                        forms=", ".join(sorted(layout.layouts))) if text else _("Name the row's form."))
        return spec

    def _fields(self, columns: Layout, layout: SheetLayout, row: Row,
                found: RowCheck) -> tuple[dict[str, Any], dict[str, str]]:
        data: dict[str, Any] = {}
        people: dict[str, str] = {}
        unreadable: set[str] = set()
        spec = columns.form
        for column in columns.columns:
            if column.kind != "field":
                continue
            field_spec = spec.field(column.name)
            try:
                value, unknown = read_field(field_spec, _cell(row, column), self.ctx, self.directory)
            except ParseError as exc:
                self._add(found, row, column, str(exc))
                unreadable.add(column.name)
                continue
            if value is not None:
                data[column.name] = value
            if unknown:
                people[column.name] = unknown
        self._foreign_cells(columns, layout, row, found)
        self._validate(columns, layout, row, data, people, unreadable, found)
        return data, people

    def _foreign_cells(self, columns: Layout, layout: SheetLayout, row: Row, found: RowCheck) -> None:
        """In a sheet of several forms, a filled cell under another form's field."""
        own = {c.index for c in columns.columns}
        for other in layout.layouts.values():
            for column in other.columns:
                if column.index not in own and _text(_cell(row, column)):
                    own.add(column.index)
                    self._add(found, row, column,
                              _("%(form)s has no such field.", form=columns.form.code))

    def _validate(self, columns: Layout, layout: SheetLayout, row: Row, data: dict[str, Any],
                  people: dict[str, str], unreadable: set[str], found: RowCheck) -> None:
        spec = columns.form
        users = self.usernames | {data[name] for name in people if name in data}  # names kept as text
        try:
            data.update(validate(spec, data, users=users, departments=self.department_codes, zone=self.zone))
        except InvalidData as invalid:
            by_name = {c.name: c for c in columns.columns if c.kind == "field"}
            for name, message in invalid.errors.items():
                if name not in unreadable:
                    self._add(found, row, by_name.get(name), message,
                              fallback=_label(spec.field(name), self.locale) or name)

    # -- the fixed columns ------------------------------------------------------------------

    def _moment(self, columns: Layout, row: Row, name: str, found: RowCheck, *,
                required: bool) -> datetime | None:
        column = columns.fixed(name)
        cell = _cell(row, column)
        if cell is None or _text(cell) == "":
            if required:
                self._add(found, row, column, _("The record's date is required."))
            return None
        try:
            moment = read_moment(cell, self.zone)
        except ParseError as exc:
            self._add(found, row, column, str(exc))
            return None
        if moment > self.now:
            self._add(found, row, column, _("This date is in the future."))
            return None
        return moment

    def _state(self, columns: Layout, spec: FormSpec, row: Row, found: RowCheck) -> str | None:
        column = columns.fixed("state")
        text = _text(_cell(row, column))
        if not text:
            return spec.filing.final[0] if spec.filing else spec.workflow.initial
        wanted = header_key(text)
        for key, label in spec.workflow.states.items():
            if wanted in {header_key(key), *(header_key(v) for v in label.values())}:
                return key
        states = listed((pick(label, self.locale) for label in spec.workflow.states.values()), self.locale)
        self._add(found, row, column,
                  _("“%(state)s” is not a state of %(form)s: one of %(states)s.", state=text, form=spec.code,
                    states=states))
        return None

    def _department(self, columns: Layout, spec: FormSpec, row: Row, found: RowCheck) -> str | None:
        column = columns.fixed("department")
        text = _text(_cell(row, column))
        if not text:
            return spec.department if spec.department in self.directory.department_ids else None
        code = self.directory.department(text)
        if code is None:
            self._add(found, row, column,
                      _("%(value)s is not a known department.", value=text))
        return code

    def _person(self, columns: Layout, row: Row, people: dict[str, str]) -> str | None:
        text = _text(_cell(row, columns.fixed("submitted_by")))
        if not text:
            return None
        username = self.directory.username(text)
        if username is None:
            people["submitted_by"] = text
        return username

    def _code(self, columns: Layout, spec: FormSpec, row: Row, moment: datetime | None, sheet: str,
              found: RowCheck) -> tuple[str, int] | None:
        column = columns.fixed("code")
        found.code_header = column.header if column else ""
        text = unicodedata.normalize("NFKC", _text(_cell(row, column)))
        if not text:
            return None
        match = CODE.match(text)
        if not match or int(match[3]) == 0:
            self._add(found, row, column, _("“%(code)s” is not a record code like %(example)s.",
                                                   code=text, example=format_code(spec.code, 2015, 1)))
            return None
        form, year, seq = match[1].upper(), int(match[2]), int(match[3])
        code = format_code(form, year, seq)
        problem = None
        if form != spec.code:
            problem = _("%(code)s is a code of %(other)s, not of %(form)s.", code=code, other=form,
                        form=spec.code)
        elif moment is not None and year != moment.astimezone(self.zone).year:
            problem = _("%(code)s is numbered in %(year)d but the record is dated %(date)s.", code=code,
                        year=year, date=moment.astimezone(self.zone).date().isoformat())
        elif code in self.codes:
            first = self.codes[code]
            problem = _("%(code)s is also the code of row %(row)d of sheet “%(sheet)s”.", code=code,
                        row=first[1], sheet=first[0])
        if problem:
            self._add(found, row, column, problem)
            return None
        self.codes[code] = (sheet, row.number)
        return code, seq

    def _scan(self, columns: Layout, row: Row, found: RowCheck) -> Scan | None:
        column = columns.fixed("scan")
        name = _text(_cell(row, column))
        if not name:
            return None
        try:
            return self.scans.read(name)
        except ScanProblem as exc:
            self._add(found, row, column, str(exc))
            return None

    def _add(self, found: RowCheck, row: Row, column: Column | None, message: str, *,
             fallback: str = "") -> None:
        where = column.header if column else fallback
        found.problems.append(Problem(found.sheet, row.number, where, message))


def read_moment(cell: Cell, zone: ZoneInfo) -> datetime:
    """A date or a date and time as a register holds it (an Excel date, or typed as on the
    form: ``2015-03-01``, ``2015/3/1 14:30``, ``2015年3月1日``), in the office's zone; from
    :data:`EARLIEST_YEAR` on (no register is older, and before it Shanghai kept local mean time,
    whose offset of seconds no stored time can carry)."""
    unreadable = _("Enter a date like 2015-03-01 (a time may follow: 2015-03-01 14:30).")
    if isinstance(cell, datetime):
        moment = cell.replace(tzinfo=zone) if cell.tzinfo is None else cell
    elif isinstance(cell, date):
        moment = datetime(cell.year, cell.month, cell.day, tzinfo=zone)
    elif isinstance(cell, bool | int | float | time):
        raise ParseError(unreadable)
    else:
        try:
            typed = DateTime().parse(_MOMENT, str(cell), BuildContext(zone_name=zone.key))
            moment = parse_moment(typed)
        except (ParseError, ValueError, OverflowError) as exc:
            raise ParseError(unreadable) from exc
    if moment.year < EARLIEST_YEAR or moment.year > 9998:
        raise ParseError(_("Enter a date from %(year)d on.", year=EARLIEST_YEAR))
    return moment.astimezone(zone)


def _cell(row: Row, column: Column | None) -> Cell:
    if column is None or column.index >= len(row.cells):
        return None
    return row.cells[column.index]


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _label(field_spec: FieldSpec | None, locale: str) -> str:
    return pick(field_spec.label, locale) if field_spec else ""


__all__ = ["LegacyRow", "Problem", "RowCheck", "RowChecker", "read_moment", "reference_kind"]
