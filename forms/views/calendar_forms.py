"""The office calendar page's posted inputs, one WTForms class per form (forms.views.calendar).

Each typed value is read by forms.calendar_input's parser, whose refusal (naming the bad value,
in the reader's language) is the field's error, and whose value the view takes from
``field.parsed``: the same words whether the page or the service (which checks again) refused it.
Every class carries the CSRF token; the year is the one the page showed, to show it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from core.problems import FieldProblems
from forms.calendar_input import parse_day, parse_hours, parse_kind, parse_name


class Parsed:
    """A validator: the field's text read by ``parse``; the value kept as ``field.parsed``."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        self.parse = parse

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            field.parsed = self.parse(field.data or "")
        except FieldProblems as refused:
            raise ValidationError(" ".join(refused.errors.values())) from None


def parse_weekday(text: str) -> int:
    """0 (Monday) to 6 (Sunday), as the page's hidden field sends it."""
    if not (text.isascii() and text.isdecimal() and len(text) == 1 and int(text) <= 6):
        raise FieldProblems({"weekday": _("Choose a weekday from Monday to Sunday.")})
    return int(text)


class CalendarForm(FlaskForm):
    year = StringField(default="")


class MarkDayForm(CalendarForm):
    day = StringField(validators=[Parsed(parse_day)])
    kind = StringField(default="holiday", validators=[Parsed(parse_kind)])
    name = StringField(validators=[Parsed(parse_name)])


class RemoveDayForm(CalendarForm):
    day = StringField(validators=[Parsed(parse_day)])


class HoursForm(CalendarForm):
    weekday = StringField(validators=[Parsed(parse_weekday)])
    hours = StringField(validators=[Parsed(parse_hours)])


class UploadForm(CalendarForm):
    file = FileField()

    def validate_file(self, field: Field) -> None:
        if field.data is None or not getattr(field.data, "filename", ""):
            raise ValidationError(_("Choose the schedule file (CSV) to check."))


class ApplyForm(CalendarForm):
    schedule = StringField(default="")
    file_name = StringField(default="")
