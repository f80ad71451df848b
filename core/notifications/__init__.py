"""Notifications in the app and by e-mail (issue 22, part F): models, the ``notify`` call that
producers make inside their transaction, the ``notify.email`` outbox topic, the daily digest
job, and the ``/notifications`` pages. Producers live beside the code that knows the event."""

from __future__ import annotations

from flask import Flask

from core.config import ConfigError
from core.notifications.models import Notification, NotificationPrefs
from core.notifications.service import TOPIC, notify

__all__ = ["TOPIC", "Notification", "NotificationPrefs", "init_app", "notify"]

DIGEST_EVERY = 24 * 3600


def init_app(app: Flask) -> None:
    """The pages, the header's count, the e-mail topic's handler and the digest job."""
    from core.notifications import producers, sending, views
    from core.outbox.cli import register_handler
    from core.outbox.jobs import register_job

    try:  # a wrong [smtp] table stops start-up, as other settings do, not the first send
        sending.SmtpSettings.from_config(app.config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    check_numbers(app.config)
    app.register_blueprint(views.bp)
    app.jinja_env.globals["notification_count"] = views.header_count
    register_handler(app, TOPIC, sending.send_notification)
    register_job(app, "notify_digest", sending.send_digests, every=DIGEST_EVERY,
                 description="e-mail each digest reader their notifications of the day")
    register_job(app, "notify_outbox_failing", producers.failing_outbox, every=300,
                 description="tell admins of outbox tasks failing NOTIFY_OUTBOX_FAILURES times")


def check_numbers(config: dict[str, object]) -> None:
    """NOTIFY_WARN_AT a fraction above 0 up to 1; the hourly limit and failure count whole
    numbers of 1 or more (unset: the defaults)."""
    warn = config.get("NOTIFY_WARN_AT", 0.8)
    if isinstance(warn, bool) or not isinstance(warn, int | float) or not 0 < warn <= 1:
        raise ConfigError(f"NOTIFY_WARN_AT: a fraction above 0 and at most 1, not {warn!r}")
    for key in ("NOTIFY_RATE_PER_HOUR", "NOTIFY_OUTBOX_FAILURES"):
        value = config.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key}: a whole number of 1 or more, not {value!r}")
