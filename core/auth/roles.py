"""Roles and the acting identity that every service receives explicitly.

An :class:`Actor` is plain data taken from the logged-in user or the API token; services decide
what it may do, so a check can never be skipped by forgetting it in a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ARCHIVIST = "archivist"
    AUDITOR = "auditor"
    ADMIN = "admin"


#: Roles that see every department's records.
ORGANISATION_WIDE = frozenset({Role.ARCHIVIST, Role.AUDITOR, Role.ADMIN})
#: Roles that may fill and submit forms (auditors only read).
FILLERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ARCHIVIST, Role.ADMIN})


@dataclass(frozen=True)
class DepartmentRef:
    """A department as plain data, loaded with the actor so that submitting needs no lookup."""

    id: int
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Reading:
    """How a person is reading now, for the need-to-know rule (archive.need_to_know): the
    instance's setting, the random id of their signed-in session (kept in the Flask session,
    never the cookie itself) and a reason sent with this very request (the API's
    ``X-Dossier-Reason``). The web and API layers attach it to the actor; system work and the
    command-line tools read without one."""

    mode: str  # NEED_TO_KNOW: "session", "record" or "off"
    session_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: Role
    department: DepartmentRef | None
    token_id: int | None = None
    display_name: str = ""
    reading: Reading | None = None

    @property
    def department_id(self) -> int | None:
        return self.department.id if self.department else None

    @property
    def sees_all_departments(self) -> bool:
        return self.role in ORGANISATION_WIDE

    def covers(self, department_code: str | None) -> bool:
        """Whether records of the department ``department_code`` are in this actor's scope:
        every department for organisation-wide roles, otherwise their own. An actor without a
        department covers none (not even records without one); only access grants open
        records to them. The archive's and the search's scope conditions say the same."""
        return self.sees_all_departments or (
            self.department is not None and self.department.code == department_code)

    @property
    def may_fill_forms(self) -> bool:
        return self.role in FILLERS

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class PermissionDenied(Exception):
    """The actor may not do this; the message says what was refused (shown to the user)."""


class NotFound(Exception):
    """The object does not exist (or the actor may not even learn that it exists)."""
