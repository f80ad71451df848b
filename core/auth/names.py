"""People and departments by name: what a person reads where the data stores a key.

Records, holds and lists store a user by username and a department by code (stable keys, what
the API takes), but a reader expects "王芳" and "质量管理部", not ``clerk`` and ``QA``. Every
page, list and printed copy that shows a stored user or department turns the key into its name
here (forms: :mod:`forms.names` for field values; templates: the ``|person`` and
``|department_name`` filters of :mod:`core.web`). A key that names no one (a user since
deleted, an imported record) is shown as stored, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from core.auth.models import Department, User
from core.db import Database

#: The actor name the command-line tools record (archive transfer, import, backup, export).
CONSOLE_ACTOR = "console"


@dataclass(frozen=True)
class Names:
    users: Mapping[str, str] = field(default_factory=dict)  # username → display name
    departments: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code → (zh, en)

    def user(self, username: str | None) -> str:
        """The display name of ``username`` (the username itself if it names no one)."""
        if not username:
            return ""
        return self.users.get(username) or username

    def department(self, code: str | None, locale: str = "zh") -> str:
        """The department's name in ``locale`` (Chinese when English is missing), else the code."""
        if not code:
            return ""
        zh, en = self.departments.get(code, ("", ""))
        return (en if locale == "en" and en else zh) or code


def load_names(db: Database) -> Names:
    """Every user's display name and every department's names (one office: a few hundred rows)."""
    with db.reading() as session:
        users = {u: n for u, n in session.execute(select(User.username, User.display_name))}
        departments = {c: (zh, en) for c, zh, en in session.execute(
            select(Department.code, Department.name_zh, Department.name_en))}
    return Names(users, departments)
