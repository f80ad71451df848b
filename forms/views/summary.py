"""The error summary at the top of a form page: one linked line per problem (GOV.UK pattern).

Each link points at the element to fix: the input itself, the first option of a choice, the
cell of a repeating row, or the first cell of a table whose rows as a whole are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from wtforms import Form

from core.i18n import pick
from forms.fields import REGISTRY
from forms.spec.model import FieldSpec, FormSpec


@dataclass(frozen=True)
class SummaryItem:
    target: str | None  # element id to link to; None for form-wide problems
    text: str


def summary_items(spec: FormSpec, form: Form, errors: dict[str, str]) -> list[SummaryItem]:
    """One line per problem, as the fields stand on the page: the checks find problems in their
    own order (the schema's before the unreadable input's), which would jump up and down it."""
    items = []
    for key, message in sorted(errors.items(), key=lambda item: _position(spec, item[0])):
        name, _sep, cell = key.partition(".")
        field = spec.field(name)
        if field is None:
            items.append(SummaryItem(None, message))
            continue
        target, where = _locate(field, form, cell)
        items.append(SummaryItem(target, _("%(field)s: %(message)s", field=where, message=message)))
    return items


def _position(spec: FormSpec, key: str) -> tuple[int, int]:
    """Form-wide problems first, then by field, a field's cells in their rows' order."""
    name, _sep, cell = key.partition(".")
    index = next((i for i, f in enumerate(spec.fields) if f.name == name), -1)
    row = cell.partition(".")[0]
    return index, int(row) if row.isdigit() else 0


def _locate(field: FieldSpec, form: Form, cell: str) -> tuple[str, str]:
    """(element id, how to name the place) for a field, or a ``row.column`` cell of it."""
    if cell:
        row, _sep, column_name = cell.partition(".")
        column = next((c for c in field.columns if c.name == column_name), None)
        where = _("%(field)s, row %(row)s, %(column)s", field=pick(field.label), row=row,
                  column=pick(column.label) if column else column_name)
        return f"{field.name}-{int(row) - 1}-{column_name}", where
    return REGISTRY[field.type].error_anchor(field, form[field.name]), pick(field.label)
