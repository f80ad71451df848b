"""Request-level helpers shared by the forms views."""

from __future__ import annotations

from sqlalchemy import select

from core.auth.models import Department, User
from core.i18n import current_locale
from core.web import request_names, services
from forms.fields import BuildContext

__all__ = ["build_context", "request_names"]


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


