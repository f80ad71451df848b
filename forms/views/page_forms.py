"""The small inputs the front office's pages post, one WTForms class per page: the action page's
revision, reason and button; the filling page's button and confirmation; the rows ticked on the
day register and the inbox; the reveal page's reason.

A form's own fields are a class built from its spec (:func:`forms.builder.form_class`), which
carries and checks the CSRF token; the classes here that sit beside one (:class:`ActionPageForm`,
:class:`FillPageForm`) leave the token to it. The names are those the pages have always posted
(templates and tests use them). Where a service checks a value as well (the reveal's reason),
the validator uses the service's words, so a refused value reads the same whichever refused
it; the service still decides.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from forms.reveal import MAX_REASON

#: The value of a table field's "add a row" button: this prefix, then the field's name.
ADD_ROW_PREFIX = "add_row:"
#: The button that answers a rule's question (:class:`forms.rules.NeedsConfirmation`) with yes.
CONFIRMED_SUBMIT = "submit_anyway"
SAVE_DRAFT = "save_draft"


def expired(form: FlaskForm) -> bool:
    """Whether ``form`` was refused for its CSRF token (the page was open too long, or sent from
    elsewhere): the user is asked to submit again, whatever else it holds."""
    return "csrf_token" in form.errors


class ButtonsForm(FlaskForm):
    """Which of a form page's buttons was pressed (``action``). Deliberately without a
    validator: a value that names no other button is the primary button, as when the form is
    sent with Enter (no button at all) or an old page sends a button since removed."""

    class Meta:
        csrf = False  # the page's own field form checks the token

    action = StringField(default="submit")

    def row_to_add(self) -> str | None:
        """The table field whose "add a row" button was pressed, else None."""
        pressed = self.action.data or ""
        return pressed.removeprefix(ADD_ROW_PREFIX) if pressed.startswith(ADD_ROW_PREFIX) else None


class ActionPageForm(ButtonsForm):
    """The action page beside the action's fields: the revision the user was shown (the service
    refuses the action if the record has moved on since; empty on a page that had none) and the
    reason (the service says when one is needed and how long it may be)."""

    revision = IntegerField(validators=[Optional(), NumberRange(min=1)])
    reason = TextAreaField(default="")


class FillPageForm(ButtonsForm):
    """The filling page beside the form's fields: its buttons (submit, save draft, add a row,
    submit anyway) and, with "submit anyway", the question the filler was shown (``confirmed``)."""

    confirmed = HiddenField(default="")

    def saves_draft(self) -> bool:
        return self.action.data == SAVE_DRAFT

    def confirmation(self) -> str | bool:
        """What the filler confirmed: on "submit anyway", the question they were shown (a rule
        asks again if the input now raises another); nothing on a plain submit."""
        return (self.confirmed.data or False) if self.action.data == CONFIRMED_SUBMIT else False


class TickedRecords(Field):
    """The rows ticked on a list, each checkbox ``record=CODE@REVISION``: the record and the
    revision the user saw (its action is refused on a record changed since). A value of another
    shape is left out, like a row that is not there."""

    data: list[tuple[str, int]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        ticked = (value.partition("@") for value in valuelist)
        self.data = [(code, int(revision)) for code, _at, revision in ticked if code and revision.isdecimal()]


class ConfirmDayForm(FlaskForm):
    """The day register: the visit registrations ticked to confirm (conflicts come unticked)."""

    record = TickedRecords(validators=[DataRequired(_l("Tick the registrations to confirm."))])


class CountersignForm(FlaskForm):
    """The inbox: the records ticked to countersign."""

    record = TickedRecords(validators=[DataRequired(_l("Tick the records to countersign."))])


class RevealForm(FlaskForm):
    """Why the user needs a record's personal fields (:func:`forms.reveal.reveal` checks it
    again, with the same words, before it reveals and audits anything)."""

    reason = TextAreaField(default="")

    def validate_reason(self, field: Field) -> None:
        reason = (field.data or "").strip()
        if not reason:
            raise ValidationError(_("Say why you need this customer's personal data."))
        if len(reason) > MAX_REASON:
            raise ValidationError(_("The reason can be at most %(n)d characters.", n=MAX_REASON))
