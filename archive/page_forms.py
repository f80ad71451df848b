"""The input of the archive's HTML pages, one WTForms class per form a page posts.

The fields keep the names the pages have always posted (tests and bookmarks use them). The
validators check the shape of what was typed with the service's own messages, so a refused
field reads the same whether the form or the service refused it; the services (archive.holds,
disposal, retention) still decide, and check again.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from archive.disposal import MAX_NOTE
from archive.holds import MAX_NAME, MAX_REASON
from archive.marks import MARK_KINDS
from archive.retention import ACTIONS, TRIGGERS


class Text:
    """Typed text of ``least`` to ``most`` characters once trimmed, as the services count it;
    refused with ``message`` (the service's own words for the same field)."""

    def __init__(self, message: str | LazyString, *, least: int = 1, most: int | None = None) -> None:
        self.message, self.least, self.most = message, least, most

    def __call__(self, form: FlaskForm, field: Field) -> None:
        length = len((field.data or "").strip())
        if length < self.least or (self.most is not None and length > self.most):
            raise ValidationError(str(self.message))


class WholeNumber:
    """Digits only, from ``least`` to ``most``; refused with ``message``."""

    def __init__(self, message: str | LazyString, *, least: int, most: int) -> None:
        self.message, self.least, self.most = message, least, most

    def __call__(self, form: FlaskForm, field: Field) -> None:
        text = (field.data or "").strip()
        if not (text.isdecimal() and len(text) <= 6 and self.least <= int(text) <= self.most):
            raise ValidationError(str(self.message))


class Year:
    """A year from 2000 to 2100 as typed; an empty one passes when ``optional``."""

    MESSAGE = _l("The year must be a number from 2000 to 2100.")

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional

    def __call__(self, form: FlaskForm, field: Field) -> None:
        text = field.data or ""
        if self.optional and not text:
            return
        if not (text.isdecimal() and len(text) <= 8 and 2000 <= int(text) <= 2100):
            raise ValidationError(str(self.MESSAGE))


def as_form_code(typed: str | None) -> str:
    """A form code as the lists take it: trimmed, upper case, at most 8 characters."""
    return (typed or "").strip().upper()[:8]


def trimmed(typed: str | None) -> str:
    return (typed or "").strip()


class StepForm(FlaskForm):
    """One of the several forms a page posts to its own address; the hidden ``step`` says which
    one was sent (``STEP``)."""

    STEP: ClassVar[str] = ""
    step = HiddenField()

    def sent(self) -> bool:
        return self.is_submitted() and self.step.data == self.STEP


# --- everyone signed in: /verify -------------------------------------------------------------

class VerifyFileForm(FlaskForm):
    document = FileField(_l("PDF file"), validators=[FileRequired(_l("Choose the PDF file to check."))])


# --- records office: the catalogue and the destroyed records (GET filters) -------------------

class CatalogueFilterForm(FlaskForm):
    """Which catalogue (form and year, a volume or all) and whether as a page, CSV or PDF. The
    year's default, this year in the office's zone, is given as ``year=`` by the page."""

    class Meta:
        csrf = False

    form_code = StringField(name="form", default="CP", filters=[as_form_code])
    year = StringField(validators=[Year()])
    volume = StringField(filters=[trimmed])
    output = StringField(name="format", filters=[trimmed])


class Matching:
    """Empty, or typed text matching ``pattern`` (upper-cased first); refused with ``message``."""

    def __init__(self, pattern: str, message: str | LazyString) -> None:
        self.pattern, self.message = re.compile(pattern), message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not self.pattern.fullmatch(field.data):
            raise ValidationError(str(self.message))


def as_code(typed: str | None) -> str:
    """A code level as typed (Y, D30, KF …): trimmed and upper case."""
    return (typed or "").strip().upper()


class ItemFilterForm(FlaskForm):
    """Which 归档文件目录 (a year, optionally one retention code and one organisation) and whether
    as a page, CSV or PDF (archive.file_catalogue)."""

    class Meta:
        csrf = False

    year = StringField(validators=[Year()])
    retention = StringField(filters=[as_code], validators=[Matching(
        r"Y|D[1-9][0-9]{0,2}", _l("The retention code is Y (permanent) or D and the years, e.g. D30."))])
    organisation = StringField(filters=[as_code], validators=[Matching(
        r"[A-Z0-9]{1,8}", _l("The organisation code is capital letters and digits, e.g. KF."))])
    output = StringField(name="format", filters=[trimmed])


class TombstoneFilterForm(FlaskForm):
    """The destroyed records of one form, one year, or all."""

    class Meta:
        csrf = False

    form_code = StringField(name="form", filters=[as_form_code])
    year = StringField(filters=[trimmed], validators=[Year(optional=True)])


# --- administrators: /admin/retention/<code> -------------------------------------------------

TRIGGER_LABELS = {"filing": _l("From filing"), "closure": _l("From closure (final state)"),
                  "event": _l("From a date in the record")}
ACTION_LABELS = {"destroy": _l("Destroy"), "review": _l("Review by an archivist"),
                 "permanent": _l("Keep permanently")}


class RetentionForm(FlaskForm):
    """A retention class's values; archive.retention.update_class checks them together."""

    name_zh = StringField(_l("Name (Chinese)"))
    name_en = StringField(_l("Name (English)"))
    years = IntegerField(_l("Years"), validators=[Optional()])
    months = IntegerField(_l("Months"), validators=[Optional()])
    trigger = RadioField(_l("Counted"), choices=[SelectChoice(t, TRIGGER_LABELS[t]) for t in TRIGGERS])
    event_field = StringField(_l("Date field (when counted from a date in the record)"))
    at_year_end = BooleanField(_l("Count from the end of that year (31 December)"))
    action = RadioField(_l("At the end"), choices=[SelectChoice(a, ACTION_LABELS[a]) for a in ACTIONS])
    mandate = TextAreaField(_l("Mandate (the rule this class follows)"))

    def values(self, names: list[str]) -> dict[str, Any]:
        """The class's values as update_class takes them: an empty period part is -1 (refused
        there with its message, as a number out of range)."""
        values = {name: self[name].data for name in names}
        values["years"] = self.years.data if self.years.data is not None else -1
        values["months"] = self.months.data if self.months.data is not None else -1
        return values


# --- records office: legal holds (/archive/holds, /archive/holds/<id>) ------------------------

#: A hold's reason, when placed and when released (archive.holds checks the same).
HOLD_REASON = Text(_l("A reason of 1 to %(n)d characters.", n=MAX_REASON), most=MAX_REASON)


class HoldForm(FlaskForm):
    """Place a hold: its name, why, and who answers for it (an active user: the service checks)."""

    name = StringField(_l("Name"), validators=[Text(_l("A name of 1 to %(n)d characters.", n=MAX_NAME),
                                                    most=MAX_NAME)])
    reason = TextAreaField(_l("Reason"), validators=[HOLD_REASON])
    owner = SelectField(_l("Owner"), validate_choice=False)  # choices: the active users, set per page


class AddCodesForm(StepForm):
    """Add records to a hold by their codes, typed with spaces or commas between them."""

    STEP = "add"
    codes = TextAreaField(_l("Add records by code"), validators=[Text(_l("Name at least one record code."))],
                          description=_l("Separate codes with spaces or commas, e.g. "
                                         "CP-2026-000001 CP-2026-000002"))

    def typed_codes(self) -> list[str]:
        return (self.codes.data or "").replace(",", " ").split()


class ReleaseForm(StepForm):
    STEP = "release"
    reason = TextAreaField(_l("Reason for release"), validators=[HOLD_REASON])


#: The search arguments a hold's "add by search" takes (search.params reads them).
HOLD_SEARCH_ARGS = ("q", "form", "year", "state", "department", "from", "to")


class HoldSearchFields:
    """The search whose records a hold may take, its words and filters handed to search as
    typed (search.params.parse_params checks them)."""

    q = StringField()
    form_code = StringField(name="form")
    year = StringField()
    state = StringField()
    department = StringField()
    submitted_from = StringField(name="from")
    submitted_to = StringField(name="to")

    def args(self: FlaskForm) -> dict[str, str]:
        """The search's arguments by their query names, the empty ones left out."""
        return {field.name: field.data for field in self
                if field.name in HOLD_SEARCH_ARGS and field.data and field.data.strip()}


class HoldSearchForm(HoldSearchFields, FlaskForm):
    """The hold's search as a GET form: its preview (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False


class AddFoundForm(HoldSearchFields, StepForm):
    """Add every record a hold's search finds (the search's arguments sent back as hidden fields)."""

    STEP = "add_found"


# --- records office: disposal (/archive/disposal, /archive/disposal/<id>) and review ---------

class ProposalForm(FlaskForm):
    """Propose a destruction list: the records ticked on the due list, and a note."""

    codes = SelectMultipleField(name="code", validate_choice=False)
    note = TextAreaField(_l("Appraisal (鉴定意见)"), description=_l(
        "Why these records may be destroyed: the register prints it as the appraisal decision."), validators=[
        Text(_l("Write the appraisal: why these records may be destroyed."), most=None),
        Text(_l("At most %(n)d characters.", n=MAX_NOTE), least=0, most=MAX_NOTE)])


class ApproveForm(StepForm):
    STEP = "approve"


class RejectForm(StepForm):
    STEP = "reject"
    reason = TextAreaField(_l("Reason for rejection"), validators=[Text(_l("Say why the list is rejected."))])


class ExecuteForm(StepForm):
    STEP = "execute"


class WitnessesForm(StepForm):
    """The two witnesses (监销人) of an approved list, chosen from the records office (the page
    sets the choices; the service checks them again)."""

    STEP = "witnesses"
    witness_1 = SelectField(_l("First witness"), validate_choice=False)
    witness_2 = SelectField(_l("Second witness"), validate_choice=False)


class ConfirmForm(StepForm):
    """A named witness's own confirmation (the identity is the signed-in user's)."""

    STEP = "confirm"


class ReviewForm(FlaskForm):
    """A decision on one record of the review list (each row posts its own)."""

    code = HiddenField()
    reason = StringField(_l("Reason"), validators=[
        Text(_l("Say why (the decision is part of the record's history)."))])
    keep_years = StringField(_l("Keep for (years)"), default="0", validators=[
        WholeNumber(_l("A whole number of years from 0 to 100."), least=0, most=100)])


class MarkForm(FlaskForm):
    """The profile page's signature or stamp (archive.marks checks the file by its content)."""

    kind = RadioField(_l("What the image shows"), default="signature",
                      choices=[SelectChoice(value, label) for value, label in MARK_KINDS.items()])
    image = FileField(_l("Image file"), description=_l("A PNG or JPEG of at most 900 KB, on a white or "
                                                       "transparent background; it prints about 4 cm wide."))


class RemoveMarkForm(FlaskForm):
    """The profile page's "remove the image" button (posted with the prefix ``remove``)."""

    remove = SubmitField(_l("Remove the image"))
