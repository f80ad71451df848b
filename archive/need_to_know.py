"""Need-to-know: organisation-wide roles read outside their own department's work with a reason.

The auditor and the admin see every department's records (:data:`core.auth.roles.ORGANISATION_WIDE`),
but management and compliance may read a customer's record only with a recorded business need.
So when one of them reads a record outside their own department, every service that shows a
record's content (:func:`archive.records.get_record`, the archival copy, attachments and their
thumbnails, and what is built on them: the record page, print, the API, reveal, actions, the
customer page) calls :func:`check` first. It answers with the reason stated for this read, or
raises :class:`ReasonRequired` (audited as ``record.<purpose>.reason_required``): the page then
asks for a reason and the API answers 403 ``reason_required``.

The setting ``NEED_TO_KNOW`` says how often: ``"session"`` (the default: one reason covers the
rest of the signed-in session), ``"record"`` (each record asks), ``"off"`` (small offices where
management is the office). Archivists are exempt: they are the records' custodians, whose daily
work is every department's records. Clerks and supervisors read only their own department, or
another's under an approved access request, which is a recorded need already.

A read under a reason is audited with it (``need_reason``, ``need_reason_id`` in the event's
detail) and counted in ``need_to_know_reads`` for the auditor's report (:mod:`archive.need_report`).
The reader's mode, session id and any reason sent with the request travel on the actor
(:class:`core.auth.roles.Reading`, attached by the web and API layers); an actor without one
(system work, the command-line tools) reads as before.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select

from archive.models import Record
from archive.need_to_know_models import NeedToKnowRead, NeedToKnowReason
from core.api import REASON_HEADER
from core.audit import trail
from core.auth.roles import Actor, PermissionDenied, Role
from core.db import Database

MODES = ("session", "record", "off")
#: The roles the rule applies to (archivists, the custodians, are exempt).
ASKED_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
MIN_REASON = 5
MAX_REASON = 500
ALLOWED_CONTROLS = frozenset("\n\t\r")  # a textarea sends its line breaks as \r\n


class ReasonRequired(PermissionDenied):
    """Reading ``code`` needs a stated reason first; ``problem`` names what was wrong with a
    reason that was given (None: none was given). The API answers it 403 with ``problem``
    ``reason_required`` (:func:`core.api.forbidden` reads ``problem_name`` and ``fields``)."""

    problem_name = "reason_required"

    def __init__(self, code: str, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.problem = problem
        self.fields = {REASON_HEADER: problem} if problem else {}


@dataclass(frozen=True)
class Need:
    """The stated reason a read goes ahead under."""

    reason_id: int
    reason: str

    def detail(self) -> dict[str, Any]:
        return {"need_reason_id": self.reason_id, "need_reason": self.reason}


def applies(actor: Actor, department_id: int | None) -> bool:
    """Whether ``actor`` must state a reason to read a record of the department ``department_id``:
    an auditor or admin, with the rule on, reading outside their own department."""
    reading = actor.reading
    if reading is None or reading.mode == "off" or actor.role not in ASKED_ROLES:
        return False
    return actor.department_id is None or actor.department_id != department_id


def reason_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a reason, in the user's language; None if it will do."""
    stripped = text.strip()
    if len(stripped) < MIN_REASON:
        return _("Say why you need to read this record, in at least %(n)d characters.", n=MIN_REASON)
    if len(stripped) > MAX_REASON:
        return _("The reason can be at most %(n)d characters.", n=MAX_REASON)
    if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS for c in stripped):
        return _("The reason holds control characters: write it as plain text.")
    return None


def check(db: Database, at: datetime, actor: Actor, code: str, department_id: int | None, *,
          purpose: str = "read") -> Need | None:
    """The reason ``actor`` reads ``code`` (of ``department_id``) under, None if none is needed;
    or :class:`ReasonRequired`, audited. A reason sent with the request (the API's header) is
    recorded for this record and used at once; otherwise the session's (or, per record, the
    record's) stated reason is looked up."""
    if not applies(actor, department_id):
        return None
    reading = actor.reading
    assert reading is not None  # applies() said so
    if reading.reason is not None:
        problem = reason_problem(reading.reason)
        if problem is None:
            return _record(db, at, actor, reading.reason.strip(), code, via="api")
        _refuse(db, at, actor, code, purpose, problem)
    found = _stated(db, actor, code)
    if found is None:
        _refuse(db, at, actor, code, purpose, None)
    return found


def check_code(db: Database, at: datetime, actor: Actor, code: str, *, purpose: str) -> Need | None:
    """:func:`check` for a service that has not read the record's row yet (an action, which
    answers with the record it changed): its department read here first, only when the rule
    could apply at all."""
    if actor.reading is None or actor.reading.mode == "off" or actor.role not in ASKED_ROLES:
        return None
    with db.reading() as session:
        found = session.execute(select(Record.department_id).where(Record.code == code)).first()
    return None if found is None else check(db, at, actor, code, found[0], purpose=purpose)


def state_reason(db: Database, at: datetime, actor: Actor, code: str, reason: str) -> Need:
    """Record ``reason`` for the actor's session (or, per record, for ``code``): the web's form.
    Raises :class:`ReasonRequired` naming the problem when the reason will not do."""
    if actor.role not in ASKED_ROLES:
        raise PermissionDenied(_("Only auditors and administrators state need-to-know reasons."))
    problem = reason_problem(reason)
    if problem is not None:
        raise ReasonRequired(code, problem, problem)
    if actor.reading is None or actor.reading.session_id is None:
        raise PermissionDenied(_("Sign in again: your session cannot hold a reason."))
    return _record(db, at, actor, reason.strip(), code, via="web")


def audit_read(db: Database, *, at: datetime, actor: Actor, action: str, code: str,
               detail: dict[str, Any], need: Need | None) -> int:
    """Append the read's audit event (with the reason, when read under one) and count it for
    the report, in one short transaction; its sequence number."""
    if need is None:
        return trail.append_alone(db, at=at, actor=actor, action=action, object_type="record",
                                  object_id=code, detail=detail)
    with db.transaction() as session:
        seq = trail.append(session, at=at, actor=actor, action=action, object_type="record",
                           object_id=code, detail={**detail, **need.detail()})
        session.execute(insert(NeedToKnowRead).values(
            reason_id=need.reason_id, record_code=code, action=action, at=at, audit_seq=seq,
            user_id=actor.user_id))
    return seq


def _stated(db: Database, actor: Actor, code: str) -> Need | None:
    reading = actor.reading
    if reading is None or reading.session_id is None:
        return None
    scope = (NeedToKnowReason.record_code == code if reading.mode == "record"
             else NeedToKnowReason.record_code.is_(None))
    query = select(NeedToKnowReason.id, NeedToKnowReason.reason).where(
        NeedToKnowReason.user_id == actor.user_id, NeedToKnowReason.session_id == reading.session_id, scope)
    with db.reading() as session:
        row = session.execute(query.order_by(NeedToKnowReason.id.desc()).limit(1)).first()
    return Need(row[0], row[1]) if row else None


def _record(db: Database, at: datetime, actor: Actor, reason: str, code: str, *, via: str) -> Need:
    reading = actor.reading
    per_record = via == "api" or (reading is not None and reading.mode == "record")
    session_id = reading.session_id if reading is not None and via == "web" else None
    with db.transaction() as session:
        reason_id = session.execute(insert(NeedToKnowReason).values(
            user_id=actor.user_id, session_id=session_id, record_code=code if per_record else None,
            reason=reason, stated_at=at, via=via).returning(NeedToKnowReason.id)).scalar_one()
        trail.append(session, at=at, actor=actor, action="need_to_know.state", object_type="record",
                     object_id=code, detail={"need_reason_id": reason_id, "need_reason": reason,
                                             "scope": "record" if per_record else "session", "via": via})
    return Need(reason_id, reason)


def _refuse(db: Database, at: datetime, actor: Actor, code: str, purpose: str, problem: str | None) -> None:
    trail.append_alone(db, at=at, actor=actor, action=f"record.{purpose}.reason_required",
                       object_type="record", object_id=code,
                       detail={"problem": problem} if problem else {})
    raise ReasonRequired(code, problem or _(
        "Record %(code)s is outside your department's work: say why you need to read it.", code=code),
        problem)
