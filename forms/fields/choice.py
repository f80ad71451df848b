"""Fields that pick from a list: fixed choices from the spec, or users and departments."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms import RadioField, SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

from core.i18n import pick
from forms.fields.base import BuildContext, FieldType, ParseError, Reading, References, register
from forms.spec.model import FieldSpec

#: Up to this many choices show as radio buttons (one click, all visible); more as a list.
RADIO_LIMIT = 5


def _options(spec: FieldSpec, locale: str) -> list[SelectChoice]:
    return [SelectChoice(c.value, pick(c.label, locale)) for c in spec.choices]


def _with_placeholder(options: list[SelectChoice]) -> list[SelectChoice]:
    return [SelectChoice("", _("— choose —")), *options]


class _FixedChoices(FieldType):
    extra_keys = frozenset({"choices"})

    def check_spec(self, spec: FieldSpec) -> list[str]:
        if not spec.choices:
            return ["needs at least one entry in choices"]
        values = [c.value for c in spec.choices]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        return [f"choice value {v!r} appears twice" for v in duplicates]

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return "、".join(spec.choice_label(v, locale) for v in value)
        return spec.choice_label(value, locale)


@register
class Choice(_FixedChoices):
    name = "choice"
    picks_one_choice = True

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "enum": [c.value for c in spec.choices]}

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        options = _options(spec, ctx.locale)
        kwargs = {"description": pick(spec.help, ctx.locale), "validate_choice": False}
        if len(options) <= RADIO_LIMIT:
            return RadioField(pick(spec.label, ctx.locale), choices=options, **kwargs)
        return SelectField(pick(spec.label, ctx.locale),
                           choices=_with_placeholder(options), **kwargs)

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        value = super().parse(spec, raw, ctx)
        if value is not None and value not in {c.value for c in spec.choices}:
            raise ParseError(_("Choose one of the listed options."))
        return value


@register
class MultiChoice(_FixedChoices):
    name = "multichoice"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array", "uniqueItems": True,
            "items": {"type": "string", "enum": [c.value for c in spec.choices]},
        }
        if spec.required:
            schema["minItems"] = 1
        return schema

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return SelectMultipleField(
            pick(spec.label, ctx.locale), choices=_options(spec, ctx.locale),
            description=pick(spec.help, ctx.locale), validate_choice=False,
            widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        values = [v for v in (raw or []) if v]
        allowed = {c.value for c in spec.choices}
        if any(v not in allowed for v in values):
            raise ParseError(_("Choose from the listed options."))
        return self.normalise(spec, values) or None

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """In the form's order of options: a set of answers, listed as the page lists them. Kept
        in the order sent, a page sent back untouched (boxes in the form's order) changed it."""
        return [c.value for c in spec.choices if c.value in value]


class _Reference(FieldType):
    """A user or department, stored by its stable key (username / department code), shown by
    name, and valid only while it names someone known."""

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": 64}
        if spec.required:
            schema["minLength"] = 1
        return schema

    def options(self, ctx: BuildContext) -> tuple[tuple[str, str], ...]:
        raise NotImplementedError

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return SelectField(pick(spec.label, ctx.locale),
                           choices=_with_placeholder(
                               [SelectChoice(key, label) for key, label in self.options(ctx)]),
                           description=pick(spec.help, ctx.locale), validate_choice=False)

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        value = super().parse(spec, raw, ctx)
        if value is not None and value not in {key for key, _label in self.options(ctx)}:
            raise ParseError(_("Choose one of the listed options."))
        return value

    def noun(self) -> str:
        """What the key names, in a message about an unknown one."""
        raise NotImplementedError

    def reference_problem(self, spec: FieldSpec, value: Any, references: References) -> str | None:
        known = self.known_keys(references)
        if known is not None and value not in known:
            return _("%(value)s is not a known %(kind)s.", value=value, kind=self.noun())
        return None


@register
class UserPicker(_Reference):
    name = "user"

    def options(self, ctx: BuildContext) -> tuple[tuple[str, str], ...]:
        return ctx.users

    def known_keys(self, references: References) -> Collection[str] | None:
        return references.users

    def noun(self) -> str:
        return _("user")

    def shown(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return "" if value is None else reading.names.user(str(value))


@register
class DepartmentPicker(_Reference):
    name = "department"

    def options(self, ctx: BuildContext) -> tuple[tuple[str, str], ...]:
        return ctx.departments

    def known_keys(self, references: References) -> Collection[str] | None:
        return references.departments

    def noun(self) -> str:
        return _("department")

    def shown(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return "" if value is None else reading.names.department(str(value), reading.locale)
