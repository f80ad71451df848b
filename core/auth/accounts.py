"""Account services: creating users, logging in with throttling, API tokens.

Failed logins slow further attempts from the same address, for that account and for the
address as a whole, with delays that grow (:mod:`core.auth.throttle`); no stranger can lock an
account. Unknown usernames cost the same password-hash time as known ones, so timing does not
reveal them. API tokens are not throttled: they are 256-bit secrets, not guessable passwords.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from core.audit import trail
from core.auth import throttle
from core.auth.models import ApiToken, Department, User
from core.auth.roles import ORGANISATION_WIDE, Actor, DepartmentRef, Role
from core.auth.throttle import LoginPolicy
from core.clock import Clock
from core.db import Database

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "dsr_"  # noqa: S105 - a public prefix that makes leaked tokens greppable
@functools.cache
def _dummy_hash() -> str:
    """Checked against for unknown users so they cost the same time; made on first use, not at
    import (≈ 0.14 s that every process importing the app would pay, PDF workers included)."""
    return generate_password_hash("not a real password")


class AccountError(Exception):
    """Input for an account operation is unusable; the message names the problem."""


class LoginRefused(Exception):
    """Wrong username or password (``wrong``), or attempts from here were not checked because
    a delay runs; ``retry_after``: seconds until the next attempt from here is checked."""

    def __init__(self, *, wrong: bool, retry_after: int | None = None) -> None:
        super().__init__("wrong username or password" if wrong else f"wait {retry_after} s")
        self.wrong, self.retry_after = wrong, retry_after


def create_user(
    db: Database, clock: Clock, *, username: str, password: str, role: str,
    department_code: str | None, display_name: str | None = None, actor: Actor | None = None,
) -> int:
    """Create a user; raises :class:`AccountError` naming the bad value."""
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            f"username {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if role not in {r.value for r in Role}:
        raise AccountError(f"role {role!r}: choose one of {', '.join(r.value for r in Role)}")
    if not department_code and Role(role) not in ORGANISATION_WIDE:
        raise AccountError(f"role {role!r} works within a department: give its code (--department)")
    with db.transaction() as session:
        department_id = None
        if department_code:
            department = session.scalar(select(Department).filter_by(code=department_code))
            if department is None:
                known = ", ".join(session.scalars(select(Department.code)).all()) or "none yet"
                raise AccountError(f"department {department_code!r} does not exist (known: {known})")
            department_id = department.id
        user = User(
            username=username, display_name=display_name or username,
            password_hash=generate_password_hash(password), role=role,
            department_id=department_id, active=True, failed_logins=0, created_at=clock.now(),
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError as exc:
            raise AccountError(f"username {username!r} is already taken") from exc
        trail.append(session, at=clock.now(), actor=actor, action="user.create",
                     object_type="user", object_id=username, detail={"role": role})
        return user.id


def authenticate(
    db: Database, clock: Clock, policy: LoginPolicy, username: str, password: str,
    remote_addr: str = "",
) -> Actor:
    """Check a password login from ``remote_addr``, refused unchecked while a delay runs there."""
    now = clock.now()
    name, address = throttle.key_of(username, remote_addr)
    with db.transaction() as session:
        throttle.forget_quiet(session, policy, now)
        rows = throttle.counts(session, now, name, address)
        waiting = rows.wait(now)
        if waiting is not None:
            trail.append(session, at=now, actor=None, actor_name=name, action="auth.throttled",
                         object_type="user", object_id=name,
                         detail={"ip": address, "retry_after": waiting[0], "by": waiting[1]})
            refused = LoginRefused(wrong=False, retry_after=waiting[0])
        else:
            actor = _check_password(session, username, password)
            if actor is not None:
                throttle.succeeded(session, rows)
                trail.append(session, at=now, actor=actor, action="login",
                             object_type="user", object_id=username, detail={"ip": address})
                return actor
            delays = throttle.failed(policy, now, rows)
            known = session.scalar(select(User).filter_by(username=username, active=True))
            trail.append(session, at=now, actor=known.actor() if known else None, actor_name=name,
                         action="login.failed", object_type="user", object_id=name,
                         detail={"reason": "wrong password" if known else "unknown user", "ip": address,
                                 "delays": delays})
            refused = LoginRefused(wrong=True, retry_after=max(delays.values(), default=None))
    raise refused


def _check_password(session: Session, username: str, password: str) -> Actor | None:
    """The active user whose password this is; an unknown or inactive user costs the same
    hash time as a known one."""
    user = session.scalar(select(User).filter_by(username=username).with_for_update(of=User))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user.actor() if check_password_hash(user.password_hash, password) else None


def create_token(db: Database, clock: Clock, username: str, label: str) -> str:
    """Issue a bearer token for ``username``; the token is returned once and stored hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as session:
        user = session.scalar(select(User).filter_by(username=username))
        if user is None:
            raise AccountError(f"user {username!r} does not exist")
        row = ApiToken(user_id=user.id, label=label, token_hash=hash_token(token),
                       created_at=clock.now())
        session.add(row)
        session.flush()
        trail.append(session, at=clock.now(), actor=user.actor(), action="token.create",
                     object_type="token", object_id=str(row.id), detail={"label": label})
    return token


def actor_named(db: Database, username: str) -> Actor | None:
    """The active user ``username`` as an Actor (for CLI commands that act as someone)."""
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        return user.actor() if user else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_TOKENS, _USERS, _DEPARTMENTS = ApiToken.__table__, User.__table__, Department.__table__
#: Built once: every API request runs it.
_TOKEN_ACTOR = (
    select(_TOKENS.c.id, _USERS.c.id, _USERS.c.username, _USERS.c.role, _USERS.c.display_name,
           _DEPARTMENTS.c.id, _DEPARTMENTS.c.code, _DEPARTMENTS.c.name_zh, _DEPARTMENTS.c.name_en)
    .join_from(_TOKENS, _USERS, _TOKENS.c.user_id == _USERS.c.id)
    .outerjoin(_DEPARTMENTS, _USERS.c.department_id == _DEPARTMENTS.c.id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"), _TOKENS.c.revoked_at.is_(None),
           _USERS.c.active.is_(True))
)


#: Built once: every signed-in page runs it (Flask-Login's user loader, core.web).
_USER_ACTOR = (
    select(_USERS.c.id, _USERS.c.username, _USERS.c.role, _USERS.c.display_name,
           _DEPARTMENTS.c.id, _DEPARTMENTS.c.code, _DEPARTMENTS.c.name_zh, _DEPARTMENTS.c.name_en)
    .outerjoin(_DEPARTMENTS, _USERS.c.department_id == _DEPARTMENTS.c.id)
    .where(_USERS.c.id == bindparam("user_id"), _USERS.c.active.is_(True))
)


def active_actor(db: Database, user_id: int) -> Actor | None:
    """The active user ``user_id`` as an Actor, or None (deactivated or unknown): read on every
    signed-in request, as one prebuilt statement without the ORM's unit of work."""
    with db.reading() as session:
        row = session.connection().execute(_USER_ACTOR, {"user_id": user_id}).first()
    if row is None:
        return None
    user_id, username, role, display_name, department_id, *names = row
    department = DepartmentRef(department_id, *names) if department_id is not None else None
    return Actor(user_id, username, Role(role), department, None, display_name)


def actor_for_token(db: Database, token: str) -> Actor | None:
    """The identity behind a bearer token, or None if it is unknown, revoked or its user inactive."""
    with db.reading() as session:
        row = session.connection().execute(
            _TOKEN_ACTOR, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    token_id, user_id, username, role, display_name, department_id, *names = row
    department = DepartmentRef(department_id, *names) if department_id is not None else None
    return Actor(user_id, username, Role(role), department, token_id, display_name)


def record_rejected_token(db: Database, clock: Clock, token: str, remote_addr: str) -> None:
    """Audit a request that presented an unusable token (only a hash prefix is kept)."""
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=None, actor_name="anonymous",
                     action="token.rejected", object_type="token",
                     object_id=hash_token(token)[:12], detail={"ip": remote_addr})
