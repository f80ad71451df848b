"""Form rules that are logic rather than data: checks before an action and effects after it.

The spec says what each transition needs (fields, roles, states); a rule module says what a
form needs beyond that — an access request's codes must name existing records, its approval
opens them to the applicant. Each module registers its hooks by (form code, action name);
:mod:`forms.workflow` calls them inside the action's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from archive.models import Record
from core.auth.roles import Actor


@dataclass(frozen=True)
class ActionContext:
    session: Session
    actor: Actor
    record: Record  # checks see it as it stands; effects as saved (new data, state, revision)
    now: datetime
    zone_name: str


#: Problems with the new data ({field: message}); empty when the action may go ahead.
Check = Callable[[ActionContext, dict[str, Any]], dict[str, str]]
#: Effects of a taken action, in its transaction.
Effect = Callable[[ActionContext], None]

CHECKS: dict[tuple[str, str], Check] = {}
EFFECTS: dict[tuple[str, str], Effect] = {}


def check(form: str, action: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[form, action] = function
        return function
    return register


def effect(form: str, action: str) -> Callable[[Effect], Effect]:
    def register(function: Effect) -> Effect:
        EFFECTS[form, action] = function
        return function
    return register


from forms.rules import access_request  # noqa: E402,F401 - registers its hooks
