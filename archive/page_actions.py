"""What every archive page does around its service call: who may open an office page, the one
way a posted form is tried against its service (refused fields named, or what the service
did)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Generic, TypeVar

from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from archive.office import require_records_office
from archive.page_forms import StepForm
from core.problems import FieldProblems
from core.web import current_actor

T = TypeVar("T")
View = Callable[..., ResponseReturnValue]


def records_office_page(view: View) -> View:
    """A records office page: others are refused before any parameter is read, so that a bad
    one does not show them the page with its error (the services check again); those not
    signed in are sent to sign in."""

    @wraps(view)
    def office_only(*args: object, **kwargs: object) -> ResponseReturnValue:
        if current_user.is_authenticated:  # others are sent to sign in by login_required
            require_records_office(current_actor())
        return view(*args, **kwargs)

    return login_required(office_only)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A posted form tried against its service: ``accepted`` with what the service returned
    (``done``), or the refused fields (name -> message) to show beside them. Neither on a page
    that was only shown."""

    accepted: bool = False
    done: T | None = None
    errors: dict[str, str] = field(default_factory=dict)
    #: Which of a page's step forms was sent (:func:`try_step`).
    step: str = ""


def try_form(form: FlaskForm, action: Callable[[], T]) -> Outcome[T]:
    """Run ``action`` (the service call) when ``form`` was posted and holds valid input.

    A field the form refuses, or the service refuses (any :class:`core.problems.FieldProblems`:
    DisposalRefused, InvalidHold, InvalidClass), comes back as ``errors``; the page re-renders
    the form with what was typed. Permission refusals are not caught: the error pages answer them.
    """
    if not form.is_submitted():
        return Outcome()
    if not form.validate():
        return Outcome(errors=form_errors(form))
    try:
        return Outcome(accepted=True, done=action())
    except FieldProblems as refused:
        return Outcome(errors=dict(refused.errors))


def try_step(forms: Iterable[StepForm], actions: Mapping[str, Callable[[], T]]) -> Outcome[T]:
    """For a page that posts several small forms to its own address: the one sent (by its
    ``step``) tried against its action as :func:`try_form` does; nothing if none was sent (an
    unknown step is ignored, as it always was)."""
    sent = next((form for form in forms if form.sent()), None)
    if sent is None:
        return Outcome()
    outcome = try_form(sent, actions[sent.STEP])
    return Outcome(outcome.accepted, outcome.done, outcome.errors, step=sent.STEP)


def form_errors(form: FlaskForm) -> dict[str, str]:
    """The form's own refusals, one message per field; a form refused without a field's (an
    expired CSRF token when the application does not check it first) says so."""
    errors = {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}
    return errors or {"_": _("The form expired. Submit again.")}

