"""Revealing one record's personal fields, with a stated reason, to a role that reads them masked.

The records office and the auditor do not need customers' names and phones for their daily work,
so every page, list, print and API answer masks them (:mod:`forms.masking`). Now and then one of
them does need one record's: an archivist placing a legal hold must tell which customer a
lawsuit concerns, an auditor must check a complaint against the customer's letter. They may
then reveal that one record, once, by saying why. The reveal is audited as ``record.reveal``
with the reason and the names of the fields (never their values), and the auditor lists every
reveal (:func:`list_reveals`). Nothing is remembered: the next view of the record is masked
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from archive.records import RecordView, get_record
from core.audit import trail
from core.audit.models import AuditEvent
from core.auth.models import User
from core.auth.roles import Actor, PermissionDenied, Role
from core.clock import Clock
from core.db import Database
from forms import versions
from forms.fields import REGISTRY
from forms.masking import has_personal_fields, needs_personal_data
from forms.spec.model import FieldSpec, FormSpec

#: Roles that read personal data masked and may reveal one record's with a reason. Clerks of
#: another department (reading under an access grant) may not: the grant says what they may read.
REVEAL_ROLES = frozenset({Role.ARCHIVIST, Role.AUDITOR})
ACTION = "record.reveal"
MAX_REASON = 500
#: The auditor's list shows the newest reveals, at most this many.
MAX_LISTED = 500


class RevealRefused(Exception):
    """The reveal cannot be made as asked; ``errors`` names the field (``reason``, ``record``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Revealed:
    spec: FormSpec
    record: RecordView  # whole, personal fields included
    fields: tuple[str, ...]  # the personal fields' names


@dataclass(frozen=True)
class RevealEntry:
    at: datetime
    username: str
    display_name: str
    code: str
    reason: str
    fields: tuple[str, ...]
    via: str


def personal_fields(spec: FormSpec) -> tuple[FieldSpec, ...]:
    """The fields masked for those without the need (tables with a personal column included)."""
    return tuple(f for f in spec.fields if REGISTRY[f.type].holds_personal(f))


def may_reveal(spec: FormSpec, actor: Actor, record: RecordView) -> bool:
    """Whether ``actor`` reads ``record`` masked and may reveal it (the record page's button)."""
    return (actor.role in REVEAL_ROLES and has_personal_fields(spec)
            and not needs_personal_data(spec, actor, record.submitted_by, record.department_code))


def require_reveal_role(actor: Actor) -> None:
    """Refuse roles that never reveal (before even asking them why)."""
    if actor.role not in REVEAL_ROLES:
        raise PermissionDenied(_("Your role works with personal data whole or not at all: it cannot "
                                 "reveal a record's personal fields."))


def reveal(db: Database, clock: Clock, actor: Actor, code: str, reason: str, *,
           channel: str = "web") -> Revealed:
    """``code`` whole, for ``actor`` who reads it masked, because of ``reason``. The read is
    audited like any read (scope checked there), the reveal as ``record.reveal`` with the reason;
    a role that may not reveal is refused (audited ``record.reveal.denied``)."""
    reason = reason.strip()
    if not reason:
        raise RevealRefused({"reason": _("Say why you need this customer's personal data.")})
    if len(reason) > MAX_REASON:
        raise RevealRefused({"reason": _("The reason can be at most %(n)d characters.", n=MAX_REASON)})
    if actor.role not in REVEAL_ROLES:
        _audit(db, clock, actor, code, f"{ACTION}.denied", {"via": channel, "reason": reason})
        require_reveal_role(actor)
    record = get_record(db, clock, actor, code, channel=channel)
    spec = versions.spec_version(db, record.form_code, record.form_version)
    if not may_reveal(spec, actor, record):
        raise RevealRefused({"record": _("Nothing is masked for you on %(code)s.", code=code)})
    fields = tuple(f.name for f in personal_fields(spec))
    _audit(db, clock, actor, code, ACTION, {"via": channel, "reason": reason, "fields": list(fields)})
    return Revealed(spec, record, fields)


def _audit(db: Database, clock: Clock, actor: Actor, code: str, action: str,
           detail: dict[str, object]) -> None:
    trail.append_alone(db, at=clock.now(), actor=actor, action=action, object_type="record",
                       object_id=code, detail=dict(detail))


def list_reveals(db: Database, actor: Actor, *, limit: int = MAX_LISTED) -> list[RevealEntry]:
    """Every reveal, newest first: who, when, which record and why. For the auditor only (the
    reveals are theirs to review; the records office reveals, it does not review itself)."""
    if actor.role is not Role.AUDITOR:
        raise PermissionDenied(_("Only an auditor reviews the reveals of personal data."))
    query = (select(AuditEvent, User.display_name).outerjoin(User, User.id == AuditEvent.actor_id)
             .where(AuditEvent.action == ACTION).order_by(AuditEvent.seq.desc()).limit(limit))
    with db.reading() as session:
        return [RevealEntry(event.at, event.actor_name, name or event.actor_name, event.object_id,
                            str(event.detail.get("reason", "")), tuple(event.detail.get("fields", ())),
                            str(event.detail.get("via", ""))) for event, name in session.execute(query)]
