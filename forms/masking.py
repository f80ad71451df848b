"""Masking personal fields for people who do not need them (pure functions, no database).

A spec marks fields ``personal = true`` and its ``[personal]`` table names the roles that need
them. Everyone else reads those fields masked, on screen, in the API and on printed copies:
enough to tell two customers apart on a list (``张**``, ``138****8000``), not enough to call
them. The person who submitted the record always sees it whole. The archival rendition is the
record itself and is never masked (who may download it is decided in :mod:`forms.personal`).

Masking is for reading only: pages that change a record (the action pages) are open only to
people who may act on it, who need its data, and they are pre-filled from the stored data,
so a masked value can never be written back.

How a value is masked is its field type's (:meth:`forms.fields.FieldType.masked`): a phone keeps
its first three and last four digits, text its first character; values that cannot be shown in
part are withheld.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from archive.records import RecordView
from core.auth.roles import Actor, Role
from forms.fields import REGISTRY, is_empty
from forms.fields.masks import mask_phone, mask_text
from forms.spec.model import FieldSpec, FormSpec
from forms.titles import summary

#: mask_phone and mask_text are the text types' (forms.fields.masks), kept importable from here.
__all__ = ["has_personal_fields", "mask_phone", "mask_text", "mask_value", "masked_data", "masked_record",
           "may_download_archival", "needs_personal_data", "shown_record"]


def mask_value(field: FieldSpec, value: Any) -> Any:
    """``value`` of ``field`` as someone without the need reads it (None: withheld, shown empty)."""
    if is_empty(value):
        return value
    return REGISTRY[field.type].masked(field, value)


def has_personal_fields(spec: FormSpec) -> bool:
    return any(REGISTRY[f.type].holds_personal(f) for f in spec.fields)


def masked_data(spec: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every personal field (and every personal column of a table) masked."""
    shown = dict(data)
    for field in spec.fields:
        if field.name not in shown:
            continue
        if REGISTRY[field.type].holds_personal(field):
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
