"""A person's notification settings: the form (validated input) and the service that stores them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import BooleanField, EmailField, Field, SelectField, SelectMultipleField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.i18n import SUPPORTED_LOCALES, current_locale
from core.notifications.events import EVENTS, LABELS
from core.notifications.models import NotificationPrefs


def office_address(form: FlaskForm, field: Field) -> None:
    """An address by its syntax only (no DNS look-up: the office's own server may be internal);
    ``.test`` names are allowed (the tests' server), other reserved names (``.local``) are not."""
    try:
        validate_email(field.data, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValidationError(str(_l("Enter an e-mail address such as name@example.com."))) from exc


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PrefsForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254),
                                                       office_address])
    language = SelectField(_l("Language of e-mails"), choices=[("zh", "中文"), ("en", "English")])
    events = CheckboxList(_l("E-mail me about"), choices=[(k, LABELS[k]) for k in EVENTS],
                          validate_choice=True)
    digest = BooleanField(_l("One daily digest instead of one e-mail per event"))


def load_into(form: PrefsForm, prefs: NotificationPrefs | None) -> None:
    """The stored settings; before any are saved, the e-mails' language offered is the page's
    (someone reading in English would otherwise save Chinese e-mails without noticing)."""
    if prefs is None:
        form.language.data = current_locale()
        return
    form.email.data, form.language.data = prefs.email, prefs.language
    form.events.data, form.digest.data = list(prefs.email_events or []), prefs.digest


def save(session: Session, user_id: int, form: PrefsForm) -> None:
    """Store the validated form (the caller validated it)."""
    prefs = session.get(NotificationPrefs, user_id)
    if prefs is None:
        prefs = NotificationPrefs(user_id=user_id, sent_in_hour=0)
        session.add(prefs)
    prefs.email = (form.email.data or "").strip() or None
    prefs.language = form.language.data if form.language.data in SUPPORTED_LOCALES else "zh"
    prefs.email_events = sorted(set(form.events.data or []) & set(EVENTS))
    prefs.digest = bool(form.digest.data)
