"""Form rules that are logic rather than data: checks before an action and effects after it.

The spec says what each transition needs (fields, roles, states); a rule module says what a
form needs beyond that — an access request's codes must name existing records, its approval
opens them to the applicant, a visit registration claims the customer for its staff member.
Each module registers its hooks by form code (submission) or (form code, action name);
:mod:`forms.submission` and :mod:`forms.workflow` call them inside their transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from archive.models import Record
from archive.records import RecordView
from core.auth.roles import Actor


@dataclass(frozen=True)
class ActionContext:
    session: Session
    actor: Actor
    record: Record  # checks see it as it stands; effects as saved (new data, state, revision)
    now: datetime
    zone_name: str
    #: What a check found that its effect needs (computed once, e.g. the codes to grant).
    found: dict[str, Any] = field(default_factory=dict)


#: Problems with the new data ({field: message}); empty when the action may go ahead.
Check = Callable[[ActionContext, dict[str, Any]], dict[str, str]]
#: Effects of a taken action, in its transaction.
Effect = Callable[[ActionContext], None]

CHECKS: dict[tuple[str, str], Check] = {}
EFFECTS: dict[tuple[str, str], Effect] = {}
#: (form code, action) that the record's own submitter may never take, whatever their role:
#: a second person must (four eyes), e.g. approving an access request.
FOUR_EYES: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Submitted:
    session: Session
    actor: Actor
    record: RecordView  # as just created, in the submitting transaction
    now: datetime
    today: date  # in the office's zone
    #: What the filler has confirmed of what an effect would ask (:class:`NeedsConfirmation`):
    #: True for anything (the API's ``confirm_conflict``), or the ``answer`` of the one question
    #: they were shown (the web page), so a changed input is asked about again.
    confirmed: bool | str = False


class NeedsConfirmation(Exception):
    """A submission would file something the filler should decide on first (a customer another
    staff member has claimed). Raised by a submit effect inside the submitting transaction, so
    nothing is saved; the message says what (in the user's language), ``detail`` is the same as
    plain data (the API's 409), ``answer`` is what the confirmation must carry back and the code
    of the record the question tells of (the asking is audited on it as ``record.<kind>.asked``)."""

    def __init__(self, message: str, detail: dict[str, Any], answer: str, kind: str = "conflict") -> None:
        super().__init__(message)
        self.message, self.detail, self.answer, self.kind = message, detail, answer, kind


#: Problems with a new record's data before it is created ({field: message}), given today's
#: date in the office's zone.
SubmitCheck = Callable[[dict[str, Any], date], dict[str, str]]
#: Effects of a new record, in the submitting transaction (after its code is minted); returns
#: the flags to put on the record (see ``Record.flags``), or None.
SubmitEffect = Callable[[Submitted], dict[str, Any] | None]

SUBMIT_CHECKS: dict[str, SubmitCheck] = {}
SUBMIT_EFFECTS: dict[str, SubmitEffect] = {}


def on_submit(form: str) -> Callable[[SubmitEffect], SubmitEffect]:
    def register(function: SubmitEffect) -> SubmitEffect:
        SUBMIT_EFFECTS[form] = function
        return function
    return register


def check_submission(form: str) -> Callable[[SubmitCheck], SubmitCheck]:
    def register(function: SubmitCheck) -> SubmitCheck:
        SUBMIT_CHECKS[form] = function
        return function
    return register


def check(form: str, action: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[form, action] = function
        return function
    return register


def four_eyes(form: str, action: str) -> None:
    """Declare that ``action`` on ``form`` must be taken by someone other than the submitter."""
    FOUR_EYES.add((form, action))


def effect(form: str, action: str) -> Callable[[Effect], Effect]:
    def register(function: Effect) -> Effect:
        EFFECTS[form, action] = function
        return function
    return register


from forms.rules import access_request, complaint, renewal, visit_register  # noqa: E402,F401 - register hooks
