"""Sending one notification by e-mail through the office's SMTP server (outbox topic
``notify.email``).

Outcomes: sent → ``emailed_at`` recorded and the outbox row done; a temporary failure (server
down, a 4xx answer, the recipient's hourly limit reached) raises, so the outbox retries with its
back-off and nothing is lost; a permanent refusal (5xx, e.g. a bad address) is recorded in
``email_error`` (shown to admins) and the row is done: not retried forever.

Never twice: the handler does nothing for a notification already ``emailed_at``. A crash after
the server accepted the mail and before ``emailed_at`` commits would send it again on retry;
the Message-ID is derived from the notification's unique key, so a receiving server or client
that deduplicates by Message-ID shows it once. We accept that narrow window rather than mark
"sent" before sending, which would lose the mail on a crash (lost is worse than doubled).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from core.notifications.events import describe, link_path
from core.notifications.models import Notification, NotificationPrefs

TIMEOUT = 20


class RateLimited(RuntimeError):
    """The recipient's hourly limit is reached: the outbox tries again after its back-off."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none, starttls or ssl
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings | None:
        """The instance's ``[smtp]`` table; None when no host is set (no e-mail at all)."""
        table = config.get("SMTP") or {}
        if not table.get("host"):
            return None
        security = str(table.get("security", "starttls"))
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"[smtp] security: 'none', 'starttls' or 'ssl', not {security!r}")
        port = table.get("port") or {"ssl": 465, "starttls": 587}.get(security, 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"[smtp] port: a whole number from 1 to 65535, not {port!r}")
        return cls(str(table["host"]), port, security, table.get("username"),
                   table.get("password"), str(table.get("from") or "dossier@localhost"))


def compose(note: Notification, prefs: NotificationPrefs, sender: str, base_url: str) -> EmailMessage:
    """The e-mail in the recipient's language; the subject names the event and code only."""
    with force_locale(prefs.language or "zh"):
        sentence = describe(note.event, note.record_code)
        link = base_url.rstrip("/") + link_path(note.event, note.record_code)
        body = "\n\n".join([sentence, _("Open it in Dossier: %(link)s", link=link),
                            _("You can choose which events e-mail you on your profile page.")])
    message = EmailMessage()
    message["Subject"] = f"[Dossier] {sentence}"
    message["From"], message["To"] = sender, prefs.email
    message["Message-ID"] = make_msgid(idstring=note.key.replace("|", ".")[:60], domain="dossier")
    message.set_content(body)
    return message


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the server; smtplib's exceptions tell temporary from permanent."""
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


def permanent(exc: Exception) -> str | None:
    """The server's refusal when it is final (5xx), else None (retry)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return f"refused: {exc.recipients}"
        return None
    if isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600:
        return f"{exc.smtp_code} {exc.smtp_error!r}"
    return None


def take_rate(prefs: NotificationPrefs, now: datetime, per_hour: int) -> None:
    """Count one mail in the recipient's current hour, or raise :class:`RateLimited`."""
    if prefs.sent_hour_start is None or now - prefs.sent_hour_start >= timedelta(hours=1):
        prefs.sent_hour_start, prefs.sent_in_hour = now, 0
    if prefs.sent_in_hour >= per_hour:
        raise RateLimited(f"user {prefs.user_id}: {per_hour} e-mail(s) this hour already")
    prefs.sent_in_hour += 1
