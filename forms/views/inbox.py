"""The inbox page: what waits for the signed-in user."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from archive.disclosure import shown_titles
from core.web import current_actor, services
from forms.inbox import inbox


@login_required
def inbox_page() -> ResponseReturnValue:
    tasks, total = inbox(services().db, services().clock, current_actor())
    tasks = shown_titles(services().db, current_actor(), tasks)  # titles name customers
    return render_template("forms/inbox.html", tasks=tasks, total=total)
