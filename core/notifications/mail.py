"""Sending one notification by e-mail through the office's SMTP server (outbox topic
``notify.email``).

Outcomes: sent → ``emailed_at`` recorded and the outbox row done; a temporary failure (server
down, a 4xx answer, the recipient's hourly limit reached) raises, so the outbox retries with its
back-off and nothing is lost; a permanent refusal (5xx, e.g. a bad address) is recorded in
``email_error`` (shown to admins) and the row is done: not retried forever.

TLS (``security = "starttls"`` or ``"ssl"``): the server's certificate is verified against the
system's CAs, or against ``ca_file`` alone (the office's own CA, or a self-signed server's own
certificate) with the host name checked. A certificate that does not verify, a server that does
not offer STARTTLS, or a wrong password is a failure naming its reason (:class:`MailSetupError`):
nothing is sent in clear, and the mail is retried, not dropped, so it leaves once an admin
corrects the settings. A password is only ever sent over TLS (:meth:`SmtpSettings.from_config`).

Never twice: the handler does nothing for a notification already ``emailed_at``. A crash after
the server accepted the mail and before ``emailed_at`` commits would send it again on retry;
the Message-ID is derived from the notification's unique key, so a receiving server or client
that deduplicates by Message-ID shows it once. We accept that narrow window rather than mark
"sent" before sending, which would lose the mail on a crash (lost is worse than doubled).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from core.notifications.events import describe, link_path
from core.notifications.models import Notification, NotificationPrefs

TIMEOUT = 20


class RateLimited(RuntimeError):
    """The recipient's hourly limit is reached: the outbox tries again after its back-off."""


class MailSetupError(RuntimeError):
    """The connection to the office's server cannot be made safely or as configured (its TLS
    certificate does not verify, it offers no STARTTLS, it refuses the login): every mail would
    fail alike, so it is retried (the outbox keeps it) with a reason an admin can act on."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none, starttls or ssl
    username: str | None
    password: str | None
    sender: str
    ca_file: str | None = None  # PEM: the only CAs trusted for the server's certificate

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings | None:
        """The instance's ``[smtp]`` table; None when no host is set (no e-mail at all).
        Raises ValueError naming the key for a table that could not work: checked at start-up,
        not at the first send hours later."""
        table = config.get("SMTP") or {}
        if not isinstance(table, dict):
            raise ValueError(f"[smtp]: a table of settings (host, port, security, ...), not {table!r}")
        if not table.get("host"):
            return None
        for key in ("host", "username", "password", "from", "ca_file"):
            if key in table and not isinstance(table[key], str):
                raise ValueError(f"[smtp] {key}: text in quotes, not {table[key]!r}")
        security = str(table.get("security", "starttls"))
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"[smtp] security: 'none', 'starttls' or 'ssl', not {security!r}")
        port = table.get("port") or {"ssl": 465, "starttls": 587}.get(security, 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"[smtp] port: a whole number from 1 to 65535, not {port!r}")
        username = table.get("username") or None
        if username is not None and security == "none":
            raise ValueError("[smtp] username: a password is sent only over TLS; set security to "
                             "'starttls' or 'ssl'")
        for key in ("username", "password"):  # smtplib's AUTH encodes them as ASCII, at send time
            if not str(table.get(key) or "").isascii():
                raise ValueError(f"[smtp] {key}: letters, digits and signs of ASCII only (the login "
                                 "cannot carry other characters)")
        ca_file = table.get("ca_file") or None
        if ca_file is not None:
            _check_ca_file(ca_file, security)
        return cls(str(table["host"]), port, security, username, table.get("password"),
                   str(table.get("from") or "dossier@localhost"), ca_file)

    def tls_context(self) -> ssl.SSLContext:
        """Verifying context: the host name checked, the certificate chained to ``ca_file``
        when it is set (the office's own CA), else to the system's CAs. No setting turns
        verification off: a server with a self-signed certificate names it as ``ca_file``."""
        return ssl.create_default_context(cafile=self.ca_file)


def _check_ca_file(ca_file: str, security: str) -> None:
    if security == "none":
        raise ValueError("[smtp] ca_file: only used with security 'starttls' or 'ssl'")
    if not Path(ca_file).is_absolute():
        raise ValueError(f"[smtp] ca_file: the absolute path of a PEM certificate file, not {ca_file!r}")
    try:
        ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError, ValueError) as exc:  # missing, unreadable, no certificate in it
        raise ValueError(f"[smtp] ca_file: {ca_file} cannot be read as PEM certificates: {exc}") from exc


#: The notification settings page (core.notifications.views), linked from every e-mail's foot.
SETTINGS_PATH = "/notifications/settings"


def compose(note: Notification, prefs: NotificationPrefs, sender: str, base_url: str) -> EmailMessage:
    """The e-mail in the recipient's language; the subject names the event and code only."""
    with force_locale(prefs.language or "zh"):
        sentence = describe(note.event, note.record_code)
        link = base_url.rstrip("/") + link_path(note.event, note.record_code)
        body = "\n\n".join([sentence, _("Open it in Dossier: %(link)s", link=link),
                            _("Choose which events e-mail you: %(link)s",
                              link=base_url.rstrip("/") + SETTINGS_PATH)])
    message = EmailMessage()
    message["Subject"] = f"[Dossier] {sentence}"
    message["From"], message["To"] = sender, prefs.email
    message["Date"] = format_datetime(note.created_at)  # the event's moment, the same on a resend
    message["Message-ID"] = message_id(note.key, sender)
    message.set_content(body)
    return message


def message_id(key: str, sender: str) -> str:
    """The Message-ID of the notification with ``key``: the same every time it is composed, so a
    resend after a crash is recognised as the same mail. A digest of the key, not the key itself:
    make_msgid(idstring=key) made a fresh id on each call, and a deadline key's colons
    ("…|2026-03-02T07:00:00+00:00") cut the header at the first, leaving no '@' and no '>'."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{mail_domain(sender)}>"


def mail_domain(sender: str) -> str:
    """The right-hand side of Dossier's Message-IDs: the sender's domain when it is a plain one."""
    domain = sender.rpartition("@")[2].strip(" >")
    return domain if domain and all(c.isalnum() or c in ".-" for c in domain) and domain.isascii() \
        else "dossier"


def stamp(message: EmailMessage, when: datetime, sender: str) -> None:
    """The Date and a Message-ID of a mail that is not one notification's (a digest)."""
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=mail_domain(sender))


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the server; smtplib's exceptions tell temporary from permanent, and
    a connection that cannot be made as configured raises :class:`MailSetupError`."""
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                                    context=settings.tls_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with client:
            if settings.security == "starttls":
                client.starttls(context=settings.tls_context())  # raises if not offered: never clear
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
    except ssl.SSLCertVerificationError as exc:
        raise MailSetupError(
            f"TLS certificate of {where} not verified ({exc.verify_message}): nothing sent; name the "
            "office's CA certificate as [smtp] ca_file") from exc
    except ssl.SSLError as exc:
        raise MailSetupError(f"TLS with {where} failed ({exc.reason or exc}): nothing sent; does "
                             f"[smtp] security = {settings.security!r} match the server?") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailSetupError(f"{where} does not offer {_missing(exc)}: nothing sent") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailSetupError(f"{where} refused the login of [smtp] username {settings.username!r}: "
                             f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc


def _missing(exc: smtplib.SMTPNotSupportedError) -> str:
    text = str(exc)
    if "STARTTLS" in text:
        return "STARTTLS (it would cross the network in clear)"
    return "SMTP AUTH (the login of [smtp] username)" if "AUTH" in text else text


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer


def permanent(exc: Exception) -> str | None:
    """The server's refusal when it is final for this mail (5xx to its recipient or its
    content), else None (retry). A refused login or sender address fails every mail alike: a
    setting to correct, so it is retried rather than each mail being given up."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return "; ".join(f"{code} {_text(text)} ({address})"
                             for address, (code, text) in exc.recipients.items())
        return None
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused
                  | smtplib.SMTPHeloError):
        return None
    if isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600:
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return None


def take_rate(prefs: NotificationPrefs, now: datetime, per_hour: int) -> None:
    """Count one mail in the recipient's current hour, or raise :class:`RateLimited`."""
    if prefs.sent_hour_start is None or now - prefs.sent_hour_start >= timedelta(hours=1):
        prefs.sent_hour_start, prefs.sent_in_hour = now, 0
    if prefs.sent_in_hour >= per_hour:
        raise RateLimited(f"user {prefs.user_id}: {per_hour} e-mail(s) this hour already")
    prefs.sent_in_hour += 1
