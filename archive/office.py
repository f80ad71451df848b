"""Who works with the archive itself (filing queue, catalogue, holds, disposal): the records
office. Checked in every archive service, not only in templates."""

from __future__ import annotations

from flask_babel import gettext as _

from core.auth.roles import Actor, PermissionDenied, Role

KEEPERS = frozenset({Role.ARCHIVIST, Role.ADMIN})


def require_records_office(actor: Actor) -> None:
    """Archivists, auditors and admins read the archive's lists."""
    if not actor.sees_all_departments:
        raise PermissionDenied(_("Only the records office (archivists, auditors, administrators) "
                                 "works with the archive."))


def require_keeper(actor: Actor) -> None:
    """Archivists and admins change it (holds, destruction lists, reviews)."""
    if actor.role not in KEEPERS:
        raise PermissionDenied(_("Only archivists and administrators manage the archive."))


def require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may approve this."))
