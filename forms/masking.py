"""Masking personal fields for people who do not need them (pure functions, no database).

A spec marks fields ``personal = true`` and its ``[personal]`` table names the roles that need
them. Everyone else reads those fields masked, on screen, in the API and on printed copies:
enough to tell two customers apart on a list (``张**``, ``138****8000``), not enough to call
them. The person who submitted the record always sees it whole. The archival rendition is the
record itself and is never masked (who may download it is decided in :mod:`forms.personal`).

Masking is for reading only: pages that change a record (the action pages) are open only to
people who may act on it, who need its data, and they are pre-filled from the stored data,
so a masked value can never be written back.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from archive.records import RecordView
from core.auth.roles import Actor, Role
from forms.spec.model import FieldSpec, FormSpec
from forms.titles import summary

MASK = "*"
#: Other text keeps its first character and always shows three stars, whatever its length.
OTHER_TEXT_STARS = 3
PHONE_HEAD, PHONE_TAIL = 3, 4
#: Field types whose values are text and are masked character by character.
TEXT_TYPES = frozenset({"text", "textarea", "email"})
_CJK_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·]{2,}")


def mask_phone(value: str) -> str:
    """First three and last four digits kept: ``13800138000`` → ``138****8000``."""
    digits = re.sub(r"\D", "", value)
    if value.startswith("+86"):
        digits = digits[2:]
    hidden = len(digits) - PHONE_HEAD - PHONE_TAIL
    if hidden <= 0:
        return MASK * len(digits)
    return digits[:PHONE_HEAD] + MASK * hidden + digits[-PHONE_TAIL:]


def mask_text(value: str) -> str:
    """A Chinese name keeps its first character, one star per other (``张三丰`` → ``张**``);
    other text keeps its first character and three stars, so its length is not told either."""
    text = value.strip()
    if not text:
        return text
    if _CJK_NAME.fullmatch(text):
        return text[0] + MASK * (len(text) - 1)
    return text[0] + MASK * OTHER_TEXT_STARS


def mask_value(field: FieldSpec, value: Any) -> Any:
    """``value`` of ``field`` as someone without the need reads it. Values of other types
    (dates, choices, numbers) cannot be shown partly and are withheld (None: shown empty)."""
    if value is None or value == "":
        return value
    if field.type == "phone":
        return mask_phone(str(value))
    if field.type in TEXT_TYPES:
        return mask_text(str(value))
    if field.type == "rows":
        return [_masked_row(field, row) for row in value]
    return None


def _masked_row(field: FieldSpec, row: dict[str, Any]) -> dict[str, Any]:
    """A table row with each personal column masked (in a personal table, every column)."""
    shown = dict(row)
    for column in field.columns:
        if column.name in shown and (field.personal or column.personal):
            shown[column.name] = mask_value(column, shown[column.name])
    return shown


def has_personal_fields(spec: FormSpec) -> bool:
    return any(f.personal or any(c.personal for c in f.columns) for f in spec.fields)


def masked_data(spec: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every personal field (and every personal column of a table) masked."""
    shown = dict(data)
    for field in spec.fields:
        if field.name not in shown:
            continue
        if field.personal or (field.type == "rows" and any(c.personal for c in field.columns)):
            shown[field.name] = mask_value(field, shown[field.name])
            if shown[field.name] is None:
                del shown[field.name]
    return shown


def needs_personal_data(spec: FormSpec, actor: Actor, submitted_by: str, department_code: str | None) -> bool:
    """Whether ``actor`` reads the personal fields of a record (submitted by the user named
    ``submitted_by``, in ``department_code``) whole: its submitter always; the roles the spec's
    ``[personal]`` table names, within the record's department for roles that work in one (a
    clerk of another department reading under an access grant has no need). A form without
    personal fields hides nothing; one with them but no ``[personal]`` table, from every role."""
    if not has_personal_fields(spec) or actor.username == submitted_by:
        return True
    if spec.personal is None or actor.role.value not in spec.personal.roles:
        return False
    return actor.covers(department_code)


def may_download_archival(spec: FormSpec, actor: Actor, record: RecordView) -> bool:
    """The archival PDF/A is the record itself and is never masked: besides those who need its
    personal data, only archivists, its custodians (they hand it over, export and check it),
    may download it; everyone else prints the record, masked."""
    return actor.role is Role.ARCHIVIST or needs_personal_data(
        spec, actor, record.submitted_by, record.department_code)


def masked_record(spec: FormSpec, record: RecordView) -> RecordView:
    """``record`` with its data, every revision's data and its title masked (the title is
    recomputed from the masked data: it is built from ``print.summary`` fields, names included)."""
    data = masked_data(spec, record.data)
    return replace(record, data=data, title=summary(spec, data)[:200],
                   revisions=tuple(replace(r, data=masked_data(spec, r.data)) for r in record.revisions))


def shown_record(spec: FormSpec, actor: Actor, record: RecordView) -> RecordView:
    """``record`` as ``actor`` may read it: whole if they need it, masked otherwise."""
    if needs_personal_data(spec, actor, record.submitted_by, record.department_code):
        return record
    return masked_record(spec, record)
