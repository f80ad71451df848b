"""Spec → WTForms form class, built fresh for every request (labels follow the language,
pickers follow the current users and departments), and form → data.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form

from forms.fields import REGISTRY, BuildContext, ParseError
from forms.fields.rows import RowsParseError
from forms.spec.model import FormSpec


def form_class(spec: FormSpec, ctx: BuildContext) -> type[FlaskForm]:
    attrs: dict[str, Any] = {f.name: REGISTRY[f.type].form_field(f, ctx) for f in spec.fields}
    attrs["Meta"] = type("Meta", (), {"locales": [ctx.locale.replace("zh", "zh_CN"), "en"]})
    return type(f"{spec.code}V{spec.version}Form", (FlaskForm,), attrs)


def raw_input(spec: FormSpec, form: Form) -> dict[str, Any]:
    """Everything the person typed, valid or not: what a draft keeps."""
    return {f.name: form[f.name].data for f in spec.fields}


def parse_form(spec: FormSpec, form: Form, ctx: BuildContext) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values and per-field problems; cell problems of rows are keyed ``field.row.column``."""
    return parse_values(spec, {f.name: form[f.name].data for f in spec.fields}, ctx)


def parse_values(spec: FormSpec, raw: dict[str, Any],
                 ctx: BuildContext) -> tuple[dict[str, Any], dict[str, str]]:
    """:func:`parse_form` for values kept as typed (a draft's): what submitting them on the page
    would make of them, so a draft saved on the page can be submitted over the API."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in spec.fields:
        try:
            data[field.name] = REGISTRY[field.type].parse(field, raw.get(field.name), ctx)
        except RowsParseError as exc:
            errors[field.name] = str(exc)
            errors.update({f"{field.name}.{cell}": msg for cell, msg in exc.cells.items()})
        except ParseError as exc:
            errors[field.name] = str(exc)
    return data, errors
