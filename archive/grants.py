"""Access grants: a user may read a record outside their department while an approved access
request (AR) lists it for them, from the first day of the period it asked for to the end of
the last. Grants only open records to reading (and printing, which is reading); they never
let anyone act on a record. Every read under a grant is audited with the request's code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, insert, select
from sqlalchemy.orm import Session

from archive.models import AccessGrant
from core.auth.roles import Actor


def grant(session: Session, *, grantee_id: int, codes: Iterable[str], request_code: str,
          valid_from: datetime, valid_until: datetime, granted_by: Actor, now: datetime) -> int:
    """Open each of ``codes`` to ``grantee_id`` for the period; returns how many grants."""
    rows = [{"grantee_id": grantee_id, "record_code": code, "request_code": request_code,
             "valid_from": valid_from, "valid_until": valid_until, "granted_by_id": granted_by.user_id,
             "granted_at": now} for code in sorted(set(codes))]
    if rows:
        session.execute(insert(AccessGrant), rows)
    return len(rows)


def _open_to(actor: Actor, now: datetime) -> ColumnElement[bool]:
    """Grants to ``actor`` that run now (from the first moment of the period, to before its end)."""
    return and_(AccessGrant.grantee_id == actor.user_id, AccessGrant.valid_from <= now,
                AccessGrant.valid_until > now)


def active_grant(session: Session, actor: Actor, code: str, now: datetime) -> AccessGrant | None:
    """The grant under which ``actor`` may read record ``code`` now, if any."""
    return session.scalar(select(AccessGrant).where(_open_to(actor, now), AccessGrant.record_code == code)
                          .order_by(AccessGrant.valid_until.desc()).limit(1))


def granted_codes(session: Session, actor: Actor, now: datetime) -> set[str]:
    """Every record code an access grant opens to ``actor`` now (for search scoping)."""
    return set(session.scalars(select(AccessGrant.record_code).where(_open_to(actor, now))))
