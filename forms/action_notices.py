"""Notifications produced by a workflow action, in the action's own transaction
(forms.workflow._apply calls :func:`after_action` after the rules' effects): a record returned
for completion is told to its filler; an access request (AR) approved or denied is told to its
applicant (the person who filed it). One per record revision: the key holds the revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from archive.models import Record
from core.notifications import notify

#: (form or None for any form, action) -> event
EVENTS_BY_ACTION = {
    (None, "return"): "record.returned",
    ("AR", "approve"): "access.decided",
    ("AR", "deny"): "access.decided",
}


def after_action(session: Session, record: Record, action: str, actor_id: int, now: datetime) -> None:
    event = EVENTS_BY_ACTION.get((record.form_code, action)) or EVENTS_BY_ACTION.get((None, action))
    if event is None or record.submitted_by_id == actor_id:
        return  # nobody is told of what they did themselves
    notify(session, event=event, recipients=[record.submitted_by_id], record_code=record.code,
           at=now, form_id=record.form_code, key=f"{event}|{record.code}|{record.revision}")
