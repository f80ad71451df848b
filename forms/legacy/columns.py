"""Which column holds what: a sheet's header cells matched to the fixed columns and to the
form's fields.

A header names a field by its name (``customer_name``) or by its label in Chinese or English
(``客户名称``, ``Customer``), as the spec has them, so a register typed from the paper form's own
headings needs no renaming. Matching ignores case, spaces and underscores and a trailing
required mark (※ or *). The fixed columns have names of their own (:data:`FIXED`), matched
first. A sheet is one form when its name is a form code; otherwise it needs a ``form`` column
and each row says its form. A header that names nothing, or two headers naming the same
thing, make the sheet unreadable (:class:`forms.legacy.sheets.BadFile`): every row would be
read wrong, so the archivist is told once, not on every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from core.i18n import pick
from forms.legacy.sheets import BadFile, Sheet
from forms.spec.model import FormSpec

#: The fixed columns and the headers that name them (besides their own names).
FIXED: dict[str, tuple[str, ...]] = {
    "form": ("form", "form code", "表单", "表单代码", "表单编号"),
    "code": ("code", "original code", "原编号", "编号", "档案编号", "记录编号"),
    "date": ("date", "submitted at", "submitted on", "日期", "提交时间", "提交日期", "登记日期", "填写日期"),
    "submitted_by": ("submitted by", "filled by", "填写人", "提交人", "登记人"),
    "department": ("department", "部门", "所属部门"),
    "state": ("state", "status", "状态"),
    "scan": ("scan", "scan file", "扫描件", "扫描文件"),
    "filed_at": ("filed at", "filed on", "归档日期", "归档时间"),
}
#: How a report names a fixed column the sheet lacks.
FIXED_LABELS: dict[str, dict[str, str]] = {
    "form": {"zh": "表单", "en": "form"}, "code": {"zh": "原编号", "en": "code"},
    "date": {"zh": "日期", "en": "date"}, "submitted_by": {"zh": "填写人", "en": "submitted by"},
    "department": {"zh": "部门", "en": "department"}, "state": {"zh": "状态", "en": "state"},
    "scan": {"zh": "扫描件", "en": "scan"}, "filed_at": {"zh": "归档日期", "en": "filed at"},
}
#: Fixed columns every sheet must have: a legacy record keeps its own date.
REQUIRED_FIXED = ("date",)
_SPACES = re.compile(r"[\s_]+")


def header_key(text: str) -> str:
    """A header as compared: case-folded, spaces and underscores as one space, no required mark."""
    return _SPACES.sub(" ", text.casefold().strip().rstrip("※*").strip())


@dataclass(frozen=True)
class Column:
    """What one column holds: ``kind`` "fixed" (``name`` one of :data:`FIXED`) or "field"."""

    index: int
    header: str
    kind: str
    name: str


@dataclass(frozen=True)
class Layout:
    """The columns of a sheet for one form (fixed columns and that form's fields)."""

    form: FormSpec
    columns: tuple[Column, ...]

    def fixed(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.kind == "fixed" and c.name == name), None)


@dataclass(frozen=True)
class SheetLayout:
    """How a sheet is read: one layout per form it may hold, and the form column if rows say
    their form (None: the sheet is the form its name says)."""

    sheet: str
    layouts: dict[str, Layout]
    form_column: Column | None


def _fixed_keys() -> dict[str, str]:
    keys = {}
    for name, aliases in FIXED.items():
        for alias in (name, *aliases):
            keys[header_key(alias)] = name
    return keys


_FIXED_KEYS = _fixed_keys()


def field_keys(spec: FormSpec) -> dict[str, str]:
    """Header key → field name: each field's name and its labels."""
    keys: dict[str, str] = {}
    for field in spec.fields:
        for text in (field.name, *field.label.values()):
            keys.setdefault(header_key(text), field.name)
    return keys


def sheet_layout(sheet: Sheet, specs: dict[str, FormSpec], locale: str) -> SheetLayout:
    """The sheet's columns for the form its name names, or for every form when it has a form
    column; :class:`BadFile` naming the sheet and the header that cannot be placed."""
    fixed = [Column(i, h, "fixed", _FIXED_KEYS[header_key(h)])
             for i, h in enumerate(sheet.headers) if h and header_key(h) in _FIXED_KEYS]
    _refuse_twice(sheet, fixed)
    form_column = next((c for c in fixed if c.name == "form"), None)
    named = specs.get(sheet.name.strip().upper())
    if named is None and form_column is None:
        raise BadFile(_("Sheet “%(sheet)s” is not a form (%(forms)s) and has no form column.",
                        sheet=sheet.name, forms=", ".join(sorted(specs))))
    forms = {named.code: named} if named is not None and form_column is None else specs
    layouts = {code: _layout(sheet, spec, fixed) for code, spec in forms.items()}
    placed = {c.index for layout in layouts.values() for c in layout.columns}
    stray = [(i, h) for i, h in enumerate(sheet.headers) if h and i not in placed]
    if stray:
        index, header = stray[0]
        raise BadFile(_("Sheet “%(sheet)s”, column %(column)s “%(header)s”: no such field in %(forms)s, "
                        "and not a fixed column.", sheet=sheet.name, column=column_letter(index),
                        header=header, forms=", ".join(sorted(forms))))
    for name in REQUIRED_FIXED:
        if not any(c.name == name for c in fixed):
            raise BadFile(_("Sheet “%(sheet)s” has no column “%(column)s”.", sheet=sheet.name,
                            column=pick(FIXED_LABELS[name], locale)))
    if form_column is None:
        _refuse_missing_required(sheet, layouts[named.code], locale)
    return SheetLayout(sheet.name, layouts, form_column)


def _layout(sheet: Sheet, spec: FormSpec, fixed: list[Column]) -> Layout:
    keys = field_keys(spec)
    fields = [Column(i, h, "field", keys[header_key(h)]) for i, h in enumerate(sheet.headers)
              if h and header_key(h) not in _FIXED_KEYS and header_key(h) in keys]
    _refuse_twice(sheet, fields)
    return Layout(spec, tuple(fixed + fields))


def _refuse_twice(sheet: Sheet, columns: list[Column]) -> None:
    seen: dict[str, Column] = {}
    for column in columns:
        if column.name in seen:
            raise BadFile(_("Sheet “%(sheet)s”: columns %(first)s and %(second)s both hold “%(header)s”.",
                            sheet=sheet.name, first=column_letter(seen[column.name].index),
                            second=column_letter(column.index), header=column.header))
        seen[column.name] = column


def _refuse_missing_required(sheet: Sheet, layout: Layout, locale: str) -> None:
    present = {c.name for c in layout.columns if c.kind == "field"}
    missing = [f for f in layout.form.fields if f.required and f.name not in present]
    if missing:
        raise BadFile(_("Sheet “%(sheet)s” has no column for the required field(s) %(fields)s.",
                        sheet=sheet.name, fields=listed((pick(f.label, locale) for f in missing), locale)))


def listed(items: Iterable[str], locale: str) -> str:
    """Names in a sentence of the report's language: 甲、乙 in Chinese, A, B in English (an
    English report said "one of Registered、Classified")."""
    return ("、" if locale.startswith("zh") else ", ").join(items)


def column_letter(index: int) -> str:
    """A column as a spreadsheet names it: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
