"""What a person changed on a page that pre-filled a record's stored values (action pages).

A page shows a stored value as a person would type it (``FieldType.as_input``), and reading the
page back parses what it shows. Some values do not come back as stored: a time sent by the API
with another offset is shown in the office's zone, a decimal ``000012.50`` as ``12.50`` is read
back as ``12.50``, text with spaces at its edges is read back trimmed. Compared with the stored
value, each of those looked changed although nobody touched it, so a correction of one field
rewrote others in the new revision (found by tests/forms/test_field_properties.py). A value is
changed only if it differs from both the stored value and the page's own reading of it.
"""

from __future__ import annotations

from typing import Any

from forms.fields import REGISTRY, BuildContext, ParseError
from forms.spec.model import FieldSpec, FormSpec


def changed_fields(spec: FormSpec, data: dict[str, Any], current: dict[str, Any],
                   ctx: BuildContext) -> dict[str, Any]:
    """The values in ``data`` (read from the page) that the person changed, with any cell of a
    table they did not touch kept as stored. An unticked box reads as False, which is not an
    answer where there was none: a box left unticked on a record that never had it stays
    unanswered."""
    changed = {}
    for name, value in data.items():
        field, stored = spec.field(name), current.get(name)
        if field is None or value == stored or (value is False and stored is None):
            continue
        shown = _read_back(field, stored, ctx)
        value = REGISTRY[field.type].keep_untouched(field, value, shown, stored)
        if value != stored and value != shown:
            changed[name] = value
    return changed


def _read_back(field: FieldSpec, stored: Any, ctx: BuildContext) -> Any:
    """The stored value as the page shows it, read back as the page reads it."""
    kind = REGISTRY[field.type]
    try:
        return kind.parse(field, kind.as_input(field, stored, ctx), ctx)
    except ParseError:
        return None
