"""A person's notification settings: the form (validated input) and the service that stores them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField
from wtforms.validators import Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.i18n import SUPPORTED_LOCALES
from core.notifications.events import EVENTS
from core.notifications.models import NotificationPrefs


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PrefsForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254),
                                                       Email(check_deliverability=False)])
    language = SelectField(_l("Language of e-mails"), choices=[("zh", "中文"), ("en", "English")])
    events = CheckboxList(_l("E-mail me about"), choices=[(k, v) for k, v in EVENTS.items()],
                          validate_choice=True)
    digest = BooleanField(_l("One daily digest instead of one e-mail per event"))


def load_into(form: PrefsForm, prefs: NotificationPrefs | None) -> None:
    if prefs is not None:
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
