"""The ``notify.email`` outbox handler and the daily digest job.

The handler reads the notification, sends it, and records ``emailed_at`` (or a permanent
``email_error``) in one short transaction after the server answered; see :mod:`.mail` for why
a crash between the server's acceptance and that commit may send once more but never loses.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.notifications.events import describe, link_path
from core.notifications.mail import SmtpSettings, compose, deliver, permanent, stamp, take_rate
from core.notifications.models import Notification, NotificationPrefs
from core.outbox.jobs import Outcome
from core.outbox.queue import Task
from core.web import services

DEFAULT_RATE_PER_HOUR = 20


def settings() -> SmtpSettings | None:
    return SmtpSettings.from_config(current_app.config)


def rate_per_hour() -> int:
    return int(current_app.config.get("NOTIFY_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR))


def send_notification(task: Task) -> None:
    """Outbox handler of ``notify.email``: raise to retry, return when settled."""
    smtp = settings()
    if smtp is None:
        return  # not configured: the in-app list is the only delivery
    db, now = services().db, services().clock.now()
    with db.transaction() as session:
        note = session.get(Notification, int(task.subject))
        prefs = session.get(NotificationPrefs, note.recipient_id) if note else None
        if note is None or note.emailed_at or note.email_error or not prefs or not prefs.email:
            return  # already settled (never twice), or nowhere to send it
        take_rate(prefs, now, rate_per_hour())  # raises RateLimited: retried after back-off
        message = compose(note, prefs, smtp.sender, current_app.config["PUBLIC_URL"])
    _send_and_record(smtp, message, int(task.subject))


def _send_and_record(smtp: SmtpSettings, message: EmailMessage, note_id: int) -> None:
    try:
        deliver(smtp, message)
    except Exception as exc:
        final = permanent(exc)
        if final is None:
            _refund(note_id)  # a retry while the server is down must not use up the hour
            raise  # temporary: the outbox retries with its back-off
        _record(note_id, error=final)
        return
    _record(note_id, error=None)


def _refund(note_id: int) -> None:
    with services().db.transaction() as session:
        note = session.get(Notification, note_id)
        prefs = session.get(NotificationPrefs, note.recipient_id) if note else None
        if prefs is not None and prefs.sent_in_hour > 0:
            prefs.sent_in_hour -= 1


def _record(note_id: int, *, error: str | None) -> None:
    db, now = services().db, services().clock.now()
    with db.transaction() as session:
        note = session.get(Notification, note_id)
        if error is None:
            note.emailed_at = now
        else:
            note.email_error = error[:2000]


def send_digests() -> Outcome:
    """Daily job: one mail per digest user with their notifications not yet e-mailed."""
    smtp = settings()
    if smtp is None:
        return Outcome(True, "no SMTP server configured")
    sent = failed = 0
    for user_id in _digest_users():
        try:
            sent += _send_digest(smtp, user_id)
        except Exception as exc:  # one user's failure must not stop the others'; next run retries
            failed += 1
            current_app.logger.warning("digest for user %s failed: %s", user_id, exc)
    return Outcome(failed == 0, f"{sent} digest(s) sent, {failed} failed")


def _digest_users() -> list[int]:
    with services().db.reading() as session:
        return list(session.scalars(select(NotificationPrefs.user_id).where(
            NotificationPrefs.digest.is_(True), NotificationPrefs.email.is_not(None))))


def _send_digest(smtp: SmtpSettings, user_id: int) -> int:
    now = services().clock.now()
    with services().db.reading() as session:
        prefs = session.get(NotificationPrefs, user_id)
        notes = list(session.scalars(select(Notification).where(
            Notification.recipient_id == user_id, Notification.emailed_at.is_(None),
            Notification.email_error.is_(None), Notification.event.in_(prefs.email_events or []),
            Notification.created_at > now - timedelta(days=7)).order_by(Notification.id)))
        if not notes:
            return 0
        message = _digest_message(prefs, notes, smtp.sender, current_app.config["PUBLIC_URL"])
        stamp(message, now, smtp.sender)
        ids = [note.id for note in notes]
    try:
        deliver(smtp, message)
    except Exception as exc:
        final = permanent(exc)
        if final is None:
            raise  # temporary: the next day's run sends them (they are not marked)
        error = final  # refused for good (a bad address): listed for admins, not tried daily
    else:
        error = None
    with services().db.transaction() as session:
        for note in session.scalars(select(Notification).where(Notification.id.in_(ids))):
            if error is None:
                note.emailed_at = now
            else:
                note.email_error = error[:2000]
    if error is not None:
        raise DigestRefused(error)
    return 1


class DigestRefused(RuntimeError):
    """The server refused a digest for good; its notifications carry the refusal."""


def _digest_message(prefs: NotificationPrefs, notes: list[Notification], sender: str,
                    base_url: str) -> EmailMessage:
    base = base_url.rstrip("/")
    with force_locale(prefs.language or "zh"):
        lines = [f"- {describe(n.event, n.record_code)}: {base}{link_path(n.event, n.record_code)}"
                 for n in notes]
        subject = _("[Dossier] Your daily digest: %(count)s notification(s)", count=len(notes))
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, prefs.email
    message.set_content("\n".join(lines))
    return message
