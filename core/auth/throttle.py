"""Slowing password guessing without handing a stranger the power to keep staff out.

The old rule locked an account for 15 minutes after a few wrong passwords, wherever they came
from: anyone who knew a colleague's username could keep them out all day, while one address
could try a password against every username unslowed. Now failed sign-ins are counted twice:

* per **account and address** (``username`` + ``address``): after ``free_failures`` the next
  attempt for that account *from that address* must wait a delay that doubles with every
  further failure, up to ``max_delay``. A stranger hammering a colleague's account delays only
  themselves; the colleague signing in from their own machine is not slowed at all.
* per **address** over every account (``username`` empty): after ``address_free_failures``
  the same growing delay applies to every attempt from that address, which is what slows one
  password tried against many usernames.

Nothing is counted per account alone, on purpose: that count is the one a stranger can drive up
from anywhere, and it would bring back the lockout. Guessing one account from many addresses
is bounded per address (and passwords have at least ten characters). A delay is never longer
than ``max_delay``; counts are forgotten after ``forget_after`` without a failure, and a
successful sign-in clears its account-and-address count (not the address's: one colleague's
success must not reset a guesser sharing the address). While a delay runs, attempts are refused
*without* checking the password, whether or not the username exists, so waiting is the only way
on and the answer reveals nothing. Every refusal is audited (``auth.throttled``) and an admin
can lift delays (:func:`unlock`, audited ``auth.unlock``).

The address is ``request.remote_addr``: behind a reverse proxy that is the proxy's, unless the
instance sets ``trusted_proxies`` (Werkzeug's ``ProxyFix``; ``X-Forwarded-For`` is not believed
by default, or a client could name a new address for every attempt).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import trail
from core.auth.models import LoginThrottle
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database

#: ``username`` of an address's count over every account.
ANY_ACCOUNT = ""
MAX_KEY = 64


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int = 5
    address_free_failures: int = 20
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    forget_after: timedelta = timedelta(hours=1)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LoginPolicy:
        """The ``LOGIN_*`` settings (core.config), each falling back to the default here."""
        default = cls()
        return cls(
            free_failures=int(config.get("LOGIN_MAX_FAILURES", default.free_failures)),
            address_free_failures=int(config.get("LOGIN_ADDRESS_MAX_FAILURES",
                                                  default.address_free_failures)),
            first_delay=timedelta(seconds=config.get("LOGIN_DELAY_SECONDS", default.first_delay.seconds)),
            max_delay=timedelta(seconds=config.get("LOGIN_MAX_DELAY_SECONDS", default.max_delay.seconds)),
            forget_after=timedelta(minutes=config.get("LOGIN_FORGET_MINUTES", 60)))

    def delay(self, failures: int, free: int) -> timedelta | None:
        """The wait after the ``failures``-th failure: none before ``free``, then doubling."""
        if failures < free:
            return None
        return min(self.first_delay * 2 ** min(failures - free, 32), self.max_delay)


@dataclass(frozen=True)
class Counts:
    """The two rows an attempt is judged by, locked for the attempt's transaction."""

    account: LoginThrottle
    address: LoginThrottle

    def wait(self, now: datetime) -> tuple[int, str] | None:
        """Whole seconds still to wait and which count imposes it, or None."""
        waits = [(row.blocked_until, "account" if row.username else "address")
                 for row in (self.account, self.address)
                 if row.blocked_until is not None and row.blocked_until > now]
        if not waits:
            return None
        until, by = max(waits)
        return math.ceil((until - now).total_seconds()), by


def key_of(username: str, address: str) -> tuple[str, str]:
    return username.strip().casefold()[:MAX_KEY], (address or "unknown")[:MAX_KEY]


def counts(session: Session, now: datetime, username: str, address: str) -> Counts:
    """The account-and-address and the address rows, created if missing and locked (a second
    attempt from the same place waits for this one's outcome). Call :func:`forget_quiet` first,
    so that counts quiet for longer than ``forget_after`` start again."""
    return Counts(_row(session, now, username, address), _row(session, now, ANY_ACCOUNT, address))


def _row(session: Session, now: datetime, username: str, address: str) -> LoginThrottle:
    query = select(LoginThrottle).filter_by(username=username, address=address).with_for_update()
    row = session.scalar(query)
    if row is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(username=username, address=address, failures=0, updated_at=now))
        except IntegrityError:  # another attempt created it meanwhile
            pass
        row = session.scalar(query.execution_options(populate_existing=True))
        assert row is not None
    return row


def failed(policy: LoginPolicy, now: datetime, rows: Counts) -> dict[str, int]:
    """Count a failure on both rows; the delays (seconds) it starts, by count."""
    started: dict[str, int] = {}
    for row, free, name in ((rows.account, policy.free_failures, "account"),
                            (rows.address, policy.address_free_failures, "address")):
        row.failures += 1
        row.updated_at = now
        delay = policy.delay(row.failures, free)
        if delay is not None:
            row.blocked_until = now + delay
            started[name] = math.ceil(delay.total_seconds())
    return started


def succeeded(session: Session, rows: Counts) -> None:
    """The owner got in from here: their count from this address goes; an address with no
    failures keeps no row."""
    session.delete(rows.account)
    if rows.address.failures == 0:
        session.delete(rows.address)


def forget_quiet(session: Session, policy: LoginPolicy, now: datetime) -> None:
    """Drop rows quiet for longer than ``forget_after`` whose delay is over (keeps the table
    to the addresses that failed lately)."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < now - policy.forget_after,
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now)))


@dataclass(frozen=True)
class Throttled:
    """One count that is failing or delaying now, for the admin's page."""

    username: str
    address: str
    failures: int
    blocked_until: datetime | None
    updated_at: datetime


def current(db: Database, clock: Clock, actor: Actor, policy: LoginPolicy) -> list[Throttled]:
    """Counts with a failure within ``forget_after`` or a delay still running, newest first
    (administrators only: addresses and usernames tried are security information)."""
    _admin(actor)
    now = clock.now()
    with db.reading() as session:
        rows = session.scalars(select(LoginThrottle).where(
            LoginThrottle.failures > 0,
            or_(LoginThrottle.updated_at >= now - policy.forget_after, LoginThrottle.blocked_until > now))
            .order_by(LoginThrottle.updated_at.desc())).all()
        return [Throttled(r.username, r.address, r.failures, r.blocked_until, r.updated_at) for r in rows]


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators see and lift sign-in delays."))


class UnlockError(Exception):
    """Neither an account nor an address was named."""


def unlock(db: Database, clock: Clock, actor: Actor | None, *, username: str = "", address: str = "") -> int:
    """Lift the counts and delays of an account (from every address), of an address (for every
    account), or of the one pair; audited ``auth.unlock``. Returns how many counts went."""
    if actor is not None:  # None: the command line, run by whoever runs the server
        _admin(actor)
    username, address = username.strip().casefold()[:MAX_KEY], address.strip()[:MAX_KEY]
    if not username and not address:
        raise UnlockError("name an account or an address")
    statement = delete(LoginThrottle)
    if username:
        statement = statement.where(LoginThrottle.username == username)
    if address:
        statement = statement.where(LoginThrottle.address == address)
    with db.transaction() as session:
        removed = session.execute(statement).rowcount or 0
        trail.append(session, at=clock.now(), actor=actor, action="auth.unlock", object_type="user",
                     object_id=username or address,
                     detail={"address": address or None, "account": username or None, "removed": removed})
    return removed
