"""Validating record data against its form version, with messages a person can act on.

This is the one authoritative check, used for web and API submissions alike: empty optional
values are dropped, the JSON Schema is enforced, then each field type's own checks run (real
calendar dates and such), then references to users and departments are looked up. Valid
values come back in their type's one stored form (a time sent with ``Z`` or a nanosecond
fraction is stored as ``…+00:00`` to the microsecond), whoever wrote them: the page, the API
or a service.
Errors are ``{field: message}``; rows report ``field`` with the row number in the message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from jsonschema.exceptions import ValidationError

from core.i18n import current_locale, pick
from forms.fields import REGISTRY, References
from forms.json_schema import record_data_schema
from forms.schema_validator import RecordValidator
from forms.spec.model import FieldSpec, FormSpec


class InvalidData(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Empty optional answers are the same as no answer; they are not stored."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


@lru_cache(maxsize=128)
def _validator(spec: FormSpec) -> Any:
    """Compiled once per parsed spec (specs compare and hash by identity)."""
    return RecordValidator(record_data_schema(spec))


def validate(spec: FormSpec, data: dict[str, Any], *, users: set[str] | None = None,
             departments: set[str] | None = None, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The cleaned data, or :class:`InvalidData` naming every wrong field; values in their
    stored form, times in the office's ``zone`` when given (what services store)."""
    data = drop_empty(data)
    errors: dict[str, str] = {}
    known = References(users, departments)
    for error in _validator(spec).iter_errors(data):
        for name, message in _describe(spec, error):
            errors.setdefault(name, message)
    for name in errors.keys() & data.keys():  # a type that can say better what is wrong
        field = spec.field(name)
        errors[name] = (field and REGISTRY[field.type].explain(field, data[name])) or errors[name]
    for field in spec.fields:
        if field.name in errors or field.name not in data:
            continue
        if _has_surrogate(data[field.name]):
            errors[field.name] = _("This text holds a character that is not valid Unicode (half of "
                                   "a UTF-16 pair, e.g. \\ud800); send the whole character.")
            continue
        problem = REGISTRY[field.type].check_value(field, data[field.name])
        problem = problem or REGISTRY[field.type].reference_problem(field, data[field.name], known)
        if problem:
            errors[field.name] = problem
    for field in spec.fields:  # required only when another field holds a value (read when valid)
        condition = field.required_when
        if condition and condition.field not in errors and field.name not in data and condition.met(data):
            errors.setdefault(field.name, _required_because(spec, field))
    if errors:
        raise InvalidData(errors)
    return {name: REGISTRY[field.type].normalise(field, value, zone) if (field := spec.field(name)) else value
            for name, value in data.items()}


def _required_because(spec: FormSpec, field: FieldSpec) -> str:
    """"Required when “Visit log: Method” is “Face-to-face”.", in the reader's language."""
    condition = field.required_when
    target = spec.field(condition.field)
    label = pick(target.label)
    if condition.column is not None:
        target = next(c for c in target.columns if c.name == condition.column)
        label = f"{label}{'：' if current_locale() == 'zh' else ': '}{pick(target.label)}"
    value = target.choice_label(condition.equals, current_locale())
    return _("Required when “%(field)s” is “%(value)s”.", field=label, value=value)


def _has_surrogate(value: Any) -> bool:
    """Whether any text in ``value`` holds a lone surrogate: JSON can escape half of a UTF-16
    pair ("\\ud800"), which no UTF-8 text holds, so storing it failed (a 500)."""
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(v) for v in value.values())
    return isinstance(value, list) and any(_has_surrogate(v) for v in value)


def _describe(spec: FormSpec, error: ValidationError) -> list[tuple[str, str]]:
    """Turn one JSON Schema error into (field name, message) pairs."""
    path = list(error.absolute_path)
    if not path:
        if error.validator == "required":
            missing = [n for n in error.validator_value if n not in error.instance]
            return [(name, _("This field is required.")) for name in missing]
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - {f.name for f in spec.fields})
            return [(name, _("There is no field called %(name)s in this form.", name=name))
                    for name in extra]
        if error.validator == "type":
            return [("_", _("The data must be an object of field names and values."))]
        return [("_", error.message)]
    name = str(path[0])
    field = spec.field(name)
    in_row = len(path) > 1 and isinstance(path[1], int)
    if in_row and len(path) > 2 and field is not None:  # a cell: its column's type speaks
        field = next((c for c in field.columns if c.name == path[2]), field)
    message = _message(field, error)
    if in_row:
        row = _("Row %(n)d", n=path[1] + 1)
        message = f"{row}: {message}"
    return [(name, message)]


def _message(field: FieldSpec | None, error: ValidationError) -> str:
    keyword, limit = error.validator, error.validator_value
    if keyword == "minLength" and limit == 1:
        return _("This field is required.")
    if keyword == "minItems" and limit == 1:
        return _("Add at least one entry.")
    messages = {
        "maxLength": lambda: _("Use at most %(n)d characters.", n=limit),
        "minLength": lambda: _("Use at least %(n)d characters.", n=limit),
        "minimum": lambda: _("Must be at least %(n)s.", n=limit),
        "maximum": lambda: _("Must be at most %(n)s.", n=limit),
        "enum": lambda: _("Choose one of the listed options."),
        "minItems": lambda: _("Add at least %(n)d entries.", n=limit),
        "maxItems": lambda: _("Use at most %(n)d entries.", n=limit),
        "uniqueItems": lambda: _("Each option can be chosen once."),
        "required": lambda: _("Every row needs its required columns."),
        "additionalProperties": lambda: _("A row has a column this form does not have."),
        "type": lambda: _("Wrong kind of value: expected %(kind)s.", kind=limit),
        "pattern": lambda: (REGISTRY[field.type].format_message() if field
                            else _("This value is not in the expected format.")),
    }
    return messages.get(keyword, lambda: error.message)()
