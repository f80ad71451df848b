"""Request-level helpers shared by the forms views."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from core.auth.models import Department, User
from core.i18n import current_locale
from core.web import services
from forms.fields import BuildContext
from forms.names import Names, load_names


def build_context() -> BuildContext:
    """Language and picker options for building a form in this request."""
    locale = current_locale()
    with services().db.reading() as session:
        users = tuple((u.username, f"{u.display_name} ({u.username})") for u in session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.username)))
        departments = tuple((d.code, d.name(locale)) for d in session.scalars(
            select(Department).order_by(Department.code)))
    return BuildContext(locale=locale, users=users, departments=departments,
                        zone_name=services().zone.key)


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def request_names() -> Names:
    """People's and departments' names, read once per request (pages name several of them)."""
    if "dossier_names" not in g:
        g.dossier_names = load_names(services().db)
    names: Names = g.dossier_names
    return names


def person(username: str | None) -> str:
    """Template filter ``|person``: a username → the display name."""
    return request_names().user(username)


def department_name(code: str | None) -> str:
    """Template filter ``|department_name``: a department code → its name in the page's language."""
    return request_names().department(code, current_locale())
