"""Repeating rows (e.g. the RS visit log): a list of small records with their own columns.

A table is shown, printed, masked, anonymised and indexed cell by cell, each cell as its
column's type does it; a history or a printed correction tells only how many rows it has."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms import Field, FieldList, Form, FormField
from wtforms.fields.core import UnboundField

from core.i18n import pick
from forms.fields.base import REGISTRY, BuildContext, FieldType, ParseError, Reading, is_empty, register
from forms.spec.model import FieldSpec


class RowsParseError(ParseError):
    """Problems in individual cells, keyed ``"<row>.<column>"`` (row counted from 1)."""

    def __init__(self, cells: dict[str, str]) -> None:
        super().__init__(_("Some rows have problems; see the marked cells."))
        self.cells = cells


def row_form_class(spec: FieldSpec, ctx: BuildContext) -> type[Form]:
    attrs = {col.name: REGISTRY[col.type].form_field(col, ctx) for col in spec.columns}
    return type(f"{spec.name.title()}Row", (Form,), attrs)


@register
class Rows(FieldType):
    name = "rows"
    extra_keys = frozenset({"columns", "min_rows", "max_rows"})
    wide_on_paper = True

    def check_spec(self, spec: FieldSpec) -> list[str]:
        problems = []
        if not spec.columns:
            problems.append("needs at least one column")
        if any(col.type == "rows" for col in spec.columns):
            problems.append("rows cannot be nested inside rows")
        if spec.min_rows < 0 or spec.max_rows < max(spec.min_rows, 1):
            problems.append("min_rows/max_rows must satisfy 0 ≤ min_rows ≤ max_rows, max_rows ≥ 1")
        return problems

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        row = {
            "type": "object",
            "properties": {c.name: REGISTRY[c.type].json_schema(c) for c in spec.columns},
            "required": [c.name for c in spec.columns if c.required],
            "additionalProperties": False,
        }
        schema: dict[str, Any] = {"type": "array", "items": row, "maxItems": spec.max_rows}
        min_rows = max(spec.min_rows, 1 if spec.required else 0)
        if min_rows:
            schema["minItems"] = min_rows
        return schema

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return FieldList(FormField(row_form_class(spec, ctx)), label=pick(spec.label, ctx.locale),
                         description=pick(spec.help, ctx.locale),
                         min_entries=max(spec.min_rows, 1), max_entries=spec.max_rows)

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        rows, cells = [], {}
        for index, raw_row in enumerate(raw or [], start=1):
            row = {}
            for col in spec.columns:
                try:
                    value = REGISTRY[col.type].parse(col, (raw_row or {}).get(col.name), ctx)
                except ParseError as exc:
                    cells[f"{index}.{col.name}"] = str(exc)
                    continue
                if value is not None:
                    row[col.name] = value
            if row:
                rows.append(row)
        if cells:
            raise RowsParseError(cells)
        return rows or None

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        return [{col.name: REGISTRY[col.type].as_input(col, row.get(col.name), ctx) for col in spec.columns}
                for row in value or []]

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        columns = {col.name: col for col in spec.columns}
        return [{name: REGISTRY[col.type].normalise(col, cell, zone) if (col := columns.get(name)) else cell
                 for name, cell in row.items()} for row in value]

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        for index, row in enumerate(value, start=1):
            for col in spec.columns:
                if col.name in row:
                    problem = REGISTRY[col.type].check_value(col, row[col.name])
                    if problem:
                        row = _("Row %(n)d", n=index)
                        return f"{row}, {pick(col.label)}: {problem}"
        return None

    def table(self, spec: FieldSpec, value: Any, reading: Reading) -> list[list[str]] | None:
        return [[REGISTRY[c.type].shown(c, row.get(c.name), reading) for c in spec.columns]
                for row in value or []]

    def printed(self, spec: FieldSpec, value: Any, reading: Reading) -> dict[str, Any]:
        return {"columns": [c.label["zh"] for c in spec.columns], "rows": self.table(spec, value, reading)}

    def change(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return "" if value is None else _("%(n)d row(s)", n=len(value))

    def change_on_paper(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return f"{len(value)} 行"

    def searchable(self, spec: FieldSpec, value: Any) -> tuple[str, ...]:
        return tuple(text for row in value for c in spec.columns if not is_empty(row.get(c.name))
                     for text in REGISTRY[c.type].searchable(c, row[c.name]))

    def holds_personal(self, spec: FieldSpec) -> bool:
        return spec.personal or any(c.personal for c in spec.columns)

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        """Each personal column's cells masked (in a table marked personal, every column's)."""
        personal = _personal_columns(spec)
        return [{name: cell if is_empty(cell) or (column := personal.get(name)) is None
                 else REGISTRY[column.type].masked(column, cell) for name, cell in row.items()}
                for row in value]

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        """Each personal column's cells replaced (in a table marked personal, every column's)."""
        personal = _personal_columns(spec)
        return [{name: cell if is_empty(cell) or (column := personal.get(name)) is None
                 else REGISTRY[column.type].placeholder(column, cell) for name, cell in row.items()}
                for row in value]

    def keep_untouched(self, spec: FieldSpec, read: Any, shown: Any, stored: Any) -> Any:
        """Each row's cells that read back as shown keep their stored value (rows in the same places)."""
        if not isinstance(read, list) or not isinstance(shown, list):
            return read
        if len(read) != len(shown) or len(shown) != len(stored):
            return read
        return [{**{k: v for k, v in row.items() if v != seen.get(k)},
                 **{k: v for k, v in kept.items() if row.get(k) == seen.get(k)}}
                for row, seen, kept in zip(read, shown, stored, strict=True)]

    def error_anchor(self, spec: FieldSpec, widget: Field) -> str:
        return f"{spec.name}-0-{spec.columns[0].name}"


def _personal_columns(spec: FieldSpec) -> dict[str, FieldSpec]:
    """The columns of a table that hold personal data, by name: every column of a personal table."""
    return {c.name: c for c in spec.columns if spec.personal or c.personal}
