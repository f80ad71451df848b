"""What a form rule's hooks are given and return: the shapes :class:`forms.rules.registry.RuleRegistry`
holds and :mod:`forms.submission` and :mod:`forms.workflow` call.

An action on a record runs, for its (form code, action): the *prepare* hooks before the writing
transaction opens (:class:`Preparing`: reads and searches that must not hold the writer lock),
then inside it the *checks* and, once the revision is written, the *effects*
(:class:`ActionContext`, whose ``found`` carries what the prepare hooks found). A submission
runs, for its form code: the *submit checks* on the validated data, then in the submitting
transaction the *flag* hooks before the record is inserted (:class:`Filing`: the flags are written
with the record) and the *submit effects* after (:class:`Submitted`: the code is minted).
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
from core.db import Database


@dataclass(frozen=True)
class Preparing:
    """An action about to be taken, before its transaction: what a prepare hook may read.

    ``data`` is the record's data as it stood at ``revision`` with the action's fields over it,
    not yet validated. The workflow takes the action only on that revision: if the record has
    moved on when the transaction opens, the hooks run again on the new one."""

    db: Database
    actor: Actor
    code: str
    revision: int
    data: dict[str, Any]
    zone_name: str


@dataclass(frozen=True)
class ActionContext:
    session: Session
    actor: Actor
    record: Record  # checks see it as it stands; effects as saved (new data, state, revision)
    now: datetime
    zone_name: str
    #: What the prepare hooks found (before the transaction) and what a check found that its
    #: effect needs (computed once, e.g. the codes to grant).
    found: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filing:
    """A new record about to be inserted, in the submitting transaction (its code not minted)."""

    session: Session
    actor: Actor
    form_code: str
    data: dict[str, Any]  # validated
    today: date  # in the office's zone
    #: What the filler has confirmed of what a hook would ask (:class:`NeedsConfirmation`):
    #: True for anything (the API's ``confirm_conflict``), or the ``answer`` of the one question
    #: they were shown (the web page), so a changed input is asked about again.
    confirmed: bool | str = False
    #: What a flag hook found that the submit effects need after the insert (e.g. the claim).
    found: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    session: Session
    actor: Actor
    record: RecordView  # as just created, flags included, in the submitting transaction
    now: datetime
    today: date  # in the office's zone
    confirmed: bool | str = False  # as :attr:`Filing.confirmed`
    #: What the flag hooks found (:attr:`Filing.found`, the same dict).
    found: dict[str, Any] = field(default_factory=dict)


class NeedsConfirmation(Exception):
    """A submission would file something the filler should decide on first (a customer another
    staff member has claimed). Raised by a flag hook inside the submitting transaction, so
    nothing is saved; the message says what (in the user's language), ``detail`` is the same as
    plain data (the API's 409), ``answer`` is what the confirmation must carry back and the code
    of the record the question tells of (the asking is audited on it as ``record.<kind>.asked``)."""

    def __init__(self, message: str, detail: dict[str, Any], answer: str, kind: str = "conflict") -> None:
        super().__init__(message)
        self.message, self.detail, self.answer, self.kind = message, detail, answer, kind


#: What an action needs found before its transaction, merged into :attr:`ActionContext.found`.
Prepare = Callable[[Preparing], dict[str, Any]]
#: Problems with the new data ({field: message}); empty when the action may go ahead.
Check = Callable[[ActionContext, dict[str, Any]], dict[str, str]]
#: Effects of a taken action, in its transaction.
Effect = Callable[[ActionContext], None]

#: Problems with a new record's data before it is created ({field: message}), given today's
#: date in the office's zone.
SubmitCheck = Callable[[dict[str, Any], date], dict[str, str]]
#: The flags to write with a new record (see ``Record.flags``), or None; may raise
#: :class:`NeedsConfirmation`.
SubmitFlags = Callable[[Filing], dict[str, Any] | None]
#: Effects of a new record, in the submitting transaction, after its insert (its code minted).
SubmitEffect = Callable[[Submitted], None]
