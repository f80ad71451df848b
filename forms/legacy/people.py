"""Who a register names: users of this instance by username or by display name, departments by
code or name, and the people who are no user here, kept as the register wrote them.

Paper registers name people as people write them ("王芳"), not by username. A name that is
exactly one active or inactive user's username or display name is that user; a display name
two users share is not guessed (kept as text, like an unknown name). A record's submitter who
is no user is recorded as the instance's legacy-import user (:data:`LEGACY_USERNAME`, made
inactive with no usable password, like the users ``archive import`` brings: nobody can sign in
as them) and the name is kept in ``records.legacy_people``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.auth.models import Department, User
from core.db import Database

#: The user legacy records are submitted by when their register names no user.
LEGACY_USERNAME = "legacy-import"
LEGACY_DISPLAY_NAME = "历史档案导入 Legacy import"


@dataclass(frozen=True)
class Directory:
    """Usernames, display names and departments, read once per import."""

    user_ids: dict[str, int] = field(default_factory=dict)  # username → id
    by_name: dict[str, str | None] = field(default_factory=dict)  # display name → username (None: shared)
    departments: dict[str, str] = field(default_factory=dict)  # code, zh or en name (folded) → code
    department_ids: dict[str, int] = field(default_factory=dict)  # code → id

    def username(self, text: str) -> str | None:
        """The user ``text`` names (username or unshared display name), else None."""
        text = text.strip()
        if text in self.user_ids and text != LEGACY_USERNAME:
            return text
        return self.by_name.get(text)

    def department(self, text: str) -> str | None:
        return self.departments.get(text.strip().casefold())

    def usernames(self) -> tuple[tuple[str, str], ...]:
        """(username, username) pairs: the options a user field's ``parse`` accepts."""
        return tuple((u, u) for u in self.user_ids)

    def codes(self) -> tuple[tuple[str, str], ...]:
        return tuple((c, c) for c in self.department_ids)


def load_directory(db: Database) -> Directory:
    with db.reading() as session:
        users = session.execute(select(User.username, User.display_name, User.id)).all()
        departments = session.execute(select(Department.code, Department.name_zh, Department.name_en,
                                             Department.id)).all()
    by_name: dict[str, str | None] = {}
    for username, display, _id in users:
        if display and username != LEGACY_USERNAME:
            by_name[display.strip()] = None if display.strip() in by_name else username
    keys: dict[str, str] = {}
    for code, zh, en, _id in departments:
        for text in (code, zh, en):
            if text:
                keys.setdefault(text.strip().casefold(), code)
    return Directory({u: i for u, _d, i in users}, by_name, keys, {c: i for c, _z, _e, i in departments})
