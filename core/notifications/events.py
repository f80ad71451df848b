"""The events that reach people, and their wording (no personal data: a code and a form only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: event name -> the sentence, with ``{code}`` for the record's code.
EVENTS = {
    "deadline.nearing": _l("%(code)s is nearing its deadline"),
    "deadline.overdue": _l("%(code)s is overdue"),
    "record.returned": _l("%(code)s was returned to you for completion"),
    "access.decided": _l("Your access request %(code)s was decided"),
    "request.nearing": _l("Customer request %(code)s is nearing its deadline"),
    "destruction.awaiting": _l("Destruction list %(code)s awaits your approval"),
    "outbox.failing": _l("After-commit task %(code)s keeps failing"),
    "fixity.failing": _l("A fixity check failed: %(code)s"),
}

#: event name -> what the settings page calls it (the sentences above need a record's code).
LABELS = {
    "deadline.nearing": _l("A record of my department nearing its deadline"),
    "deadline.overdue": _l("A record of my department overdue"),
    "record.returned": _l("A record I filled returned to me for completion"),
    "access.decided": _l("A decision on my access request"),
    "request.nearing": _l("A customer request nearing its deadline"),
    "destruction.awaiting": _l("A destruction list awaiting approval"),
    "outbox.failing": _l("An after-commit task that keeps failing"),
    "fixity.failing": _l("A failed fixity check"),
}


#: Where a notification's link goes, by event (default: the record's page).
LINKS = {
    "destruction.awaiting": "/archive/disposal/{code}",
    "outbox.failing": "/notifications",
    "fixity.failing": "/notifications",
}


def link_path(event: str, code: str | None) -> str:
    """The path the notification links to (the list itself when there is no code)."""
    if not code:
        return "/notifications"
    return LINKS.get(event, "/records/{code}").format(code=code)


def describe(event: str, code: str | None) -> str:
    """The event's sentence in the current locale (the page's, or a forced one for e-mail)."""
    message = EVENTS.get(event)
    if message is None:
        return f"{event} {code or ''}".strip()
    return str(message) % {"code": code or "-"}
