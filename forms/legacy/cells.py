"""Reading one cell of a legacy register into a field's value, through the field's own type.

A cell is first made into what a person would have typed on the form (:func:`typed`: an Excel
date as ``2015-03-01``, a whole number without ``.0``, a choice's label as its value, a yes/no
as a bool, a table as its rows), then the field type's ``parse`` reads it exactly as it reads
the filling page's input, and :func:`forms.validation.validate` checks the row as a whole: an
imported value is valid exactly when the same text typed on the page would be. Whatever the
cell holds, the outcome is a value or a :class:`~forms.fields.ParseError` with a message for
the report, never another exception (property-tested).

What kind of input a field takes is read from its type's JSON Schema and its spec (choices,
columns), never from the type's name, so a new field type is read like the page reads it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _

from core.i18n import pick
from forms.fields import REGISTRY, BuildContext, ParseError, References
from forms.fields.rows import RowsParseError
from forms.legacy.columns import header_key, listed
from forms.legacy.people import Directory
from forms.legacy.sheets import Cell
from forms.spec.model import FieldSpec

YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓", "✔", "对", "有", "已签"})
NO = frozenset({"否", "no", "n", "false", "0", "×", "✗", "✘", "无", "未签", ""})
#: Cells of a table's row written on one line: the columns in order, split by a bar.
_ROW_SPLIT = re.compile(r"\s*[|｜]\s*")
_CHOICE_SPLIT = re.compile(r"\s*[,，;；、/]\s*")
#: Probes telling which references a type checks (users or departments), without its name.
_USERS, _DEPARTMENTS = frozenset({"\x00user"}), frozenset({"\x00department"})


def cell_text(cell: Cell, *, moment: bool = False) -> str:
    """A cell as the text a person would type: dates as ISO (with the time when ``moment``), a
    whole number without its ``.0``, text stripped."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, datetime):
        if not moment:
            return cell.date().isoformat()
        return cell.isoformat(" ", "microseconds" if cell.microsecond else "seconds")
    if isinstance(cell, date | time):
        return cell.isoformat()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    return str(cell).strip()


def reference_kind(field: FieldSpec) -> str | None:
    """"users" or "departments" when the field's type stores a reference to one, else None."""
    known = REGISTRY[field.type].known_keys(References(users=_USERS, departments=_DEPARTMENTS))
    if known is _USERS:
        return "users"
    return "departments" if known is _DEPARTMENTS else None


def read_field(field: FieldSpec, cell: Cell, ctx: BuildContext,
               directory: Directory) -> tuple[Any, str | None]:
    """(the field's value, or None when empty; the name as written when it names no user).

    Raises :class:`ParseError` with the message the filling page would show."""
    schema = REGISTRY[field.type].json_schema(field)
    kind = reference_kind(field)
    text = cell_text(cell, moment=REGISTRY[field.type].holds_moment)
    if kind == "users":
        if not text:
            return None, None
        username = directory.username(text)
        return (username, None) if username else (text[:64], text)
    if kind == "departments":
        if not text:
            return None, None
        code = directory.department(text)
        if code is None:
            raise ParseError(_("%(value)s is not a known department.", value=text))
        return REGISTRY[field.type].parse(field, code, ctx), None
    return _typed_value(field, schema, cell, text, ctx), None


def _typed_value(field: FieldSpec, schema: dict[str, Any], cell: Cell, text: str, ctx: BuildContext) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        return read_yes_no(cell, text)
    if kind == "array" and schema.get("items", {}).get("type") == "object":
        if not field.columns:  # a list of objects that is no table: files, which a cell cannot hold
            if not text:
                return None
            raise ParseError(_("Files are not imported from a cell: give the record's scan in the scan "
                               "column."))
        return _parse_rows(field, text, ctx)
    if kind == "array":
        values = [_chosen(field, part, ctx.locale) for part in _CHOICE_SPLIT.split(text) if part]
        return REGISTRY[field.type].parse(field, values, ctx)
    if field.choices:
        return REGISTRY[field.type].parse(field, _chosen(field, text, ctx.locale) if text else text, ctx)
    return REGISTRY[field.type].parse(field, text, ctx)


def read_yes_no(cell: Cell, text: str) -> bool | None:
    """是/否, yes/no, √/×, 1/0 (and a real boolean cell); empty is no answer."""
    if isinstance(cell, bool):
        return cell
    folded = text.casefold()
    if not folded:
        return None
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ParseError(_("Write 是 or 否 (yes or no)."))


def choice_value(field: FieldSpec, text: str) -> str:
    """A choice written as its value or its label in either language (as the paper form printed
    it); anything else is left as written, for the type to refuse."""
    wanted = header_key(text)
    for choice in field.choices:
        if wanted in {header_key(choice.value), *(header_key(v) for v in choice.label.values())}:
            return choice.value
    return text


def _chosen(field: FieldSpec, text: str, locale: str) -> str:
    """A choice's value, or a refusal that lists the choices: a spreadsheet shows no list, so
    the filling page's "Choose one of the listed options" left the archivist guessing."""
    value = choice_value(field, text)
    if value in {choice.value for choice in field.choices}:
        return value
    raise ParseError(_("“%(value)s” is not one of the choices: %(choices)s.", value=text,
                       choices=listed((pick(c.label, locale) for c in field.choices), locale)))


def _parse_rows(field: FieldSpec, text: str, ctx: BuildContext) -> Any:
    """A table cell: a JSON list of rows (objects by column name or label), or one row per line
    with the columns in order split by ``|``."""
    if not text:
        return None
    rows = _json_rows(field, text) if text.lstrip().startswith("[") else [
        dict(zip((c.name for c in field.columns), _ROW_SPLIT.split(line.strip()), strict=False))
        for line in text.splitlines() if line.strip()]
    for row in rows:
        for column in field.columns:
            if column.choices and isinstance(row.get(column.name), str):
                row[column.name] = choice_value(column, row[column.name])
    try:
        return REGISTRY[field.type].parse(field, rows, ctx)
    except RowsParseError as exc:
        raise ParseError("; ".join(_cell_message(field, key, message, ctx.locale)
                                   for key, message in exc.cells.items())) from exc


def _json_rows(field: FieldSpec, text: str) -> list[dict[str, Any]]:
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise ParseError(_("A table is written as one row per line, its columns split by |.")) from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ParseError(_("A table is written as one row per line, its columns split by |."))
    names = {header_key(t): c.name for c in field.columns for t in (c.name, *c.label.values())}
    return [{names.get(header_key(str(k)), str(k)): cell_text(v) if not isinstance(v, str) else v
             for k, v in row.items()} for row in rows]


def _cell_message(field: FieldSpec, key: str, message: str, locale: str) -> str:
    number, _dot, name = key.partition(".")
    column = next((c for c in field.columns if c.name == name), None)
    label = pick(column.label, locale) if column else name
    return f"{_('Row %(n)d', n=int(number))}, {label}: {message}"
