"""Repeating rows (e.g. the RS visit log): a list of small records with their own columns."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms import FieldList, Form, FormField
from wtforms.fields.core import UnboundField

from core.i18n import pick
from forms.fields.base import REGISTRY, BuildContext, FieldType, ParseError, register
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

