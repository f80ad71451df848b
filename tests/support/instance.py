"""Building real instances for tests: migrated database, departments, users, approved specs.

The expensive part (migrations, password hashing) is done once into a template SQLite file;
each test gets its own copy. The same builder prepares a PostgreSQL database.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive import retention
from core import db_schema
from core.app import create_app
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.auth.models import User
from core.clock import Clock
from core.web import services
from forms import complaint_counts, versions
from forms.spec.library import load_or_fail

PASSWORD = "correct-horse-9"

#: username → (role, department code)
TEST_USERS = {
    "admin": ("admin", "ARCHIVE"),
    "archivist": ("archivist", "ARCHIVE"),
    "auditor": ("auditor", None),
    "supervisor": ("supervisor", "CS"),
    "clerk": ("clerk", "CS"),
    "sales": ("clerk", "SALES"),
    "sales_boss": ("supervisor", "SALES"),
}

#: A complete, valid complaint (CP) as the API and the services take it.
VALID_CP = {"channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
            "customer_name": "上海恒丰", "phone": "13800138000", "complaint": "划痕"}

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                          r'|name="csrf_token" value="([^"]+)"')


def make_app(database_url: str, clock: Clock, **overrides: Any) -> Flask:
    """An app on ``database_url``. Need-to-know is off unless ``NEED_TO_KNOW`` is given: the
    many tests that read records as admin or auditor test other rules; the need-to-know tests
    (tests/archive/test_need_to_know*.py, tests/browser/test_need_to_know.py) turn it on and
    prove it in every place that shows a record. The product's default is "session"."""
    config = {"DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": False,
              "REMEMBER_COOKIE_SECURE": False, "TESTING": True, "NEED_TO_KNOW": "off", **overrides}
    return create_app(config, clock=clock)


def populate(app: Flask) -> None:
    """Schema, departments, the test users, every spec registered and approved, and the weeks of
    the kept complaint counts (so every test's writes go through their triggers, as after
    ``flask init``)."""
    with app.app_context():
        db, clock = services().db, services().clock
        db_schema.upgrade(db)
        ensure_default_departments(db)
        for username, (role, department) in TEST_USERS.items():
            accounts.create_user(db, clock, username=username, password=PASSWORD, role=role,
                                 department_code=department, display_name=username.title())
        retention.ensure_defaults(db, clock)
        complaint_counts.ensure_counted(db, services().zone)  # as `flask init`: the triggers count
        versions.register_specs(db, clock, load_or_fail())
        with db.reading() as session:
            admin = session.scalar(select(User).filter_by(username="admin")).actor()
        for info in versions.list_versions(db):
            versions.approve(db, clock, admin, info.form_code, info.version)


def csrf_token(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                           "username": username, "password": password})
    assert response.status_code == 302, f"login of {username} failed: {response.status_code}"


def actor_of(app: Flask, username: str) -> Any:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(User).filter_by(username=username)).actor()
