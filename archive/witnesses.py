"""The two witnesses (监销人) of a destruction, as a records office needs them: the keeper who
will execute an approved list names two people; each of them, signed in as themselves, confirms
on the list's page that they witness it; the list is executed only once both have confirmed
(:func:`archive.disposal.execute` asks :func:`require_witnessed` inside its transaction), and
the register prints both with the moment each confirmed.

Who may witness: the records office (archivists, auditors, administrators), the people who may
open a destruction list at all; two different people, neither of them the executor. A witness
confirms by their own action, never by the executor's click: the confirmation is taken from the
signed-in (or token) identity, and nobody can confirm for someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.disposal_state import DisposalRefused, locked_list
from archive.models import DisposalWitness
from archive.office import require_keeper, require_records_office
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor, Role
from core.clock import Clock
from core.db import Database

#: The roles a witness may have: the records office (who may open a destruction list at all).
WITNESS_ROLES = frozenset({Role.ARCHIVIST, Role.AUDITOR, Role.ADMIN})
FIELDS = ("witness_1", "witness_2")


@dataclass(frozen=True)
class WitnessView:
    username: str
    name: str  # the display name
    named_by: str
    named_at: datetime
    confirmed_at: datetime | None

    @property
    def signed(self) -> str:
        """How the register writes a person: their name and, if it differs, the username."""
        return person(self.name, self.username)

    def as_json(self) -> dict[str, object]:
        return {"username": self.username, "name": self.name, "named_by": self.named_by,
                "named_at": self.named_at.isoformat(),
                "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None}


def person(name: str, username: str) -> str:
    return f"{name}（{username}）" if name and name != username else username


def role_names() -> dict[str, str]:
    return {"clerk": _("staff member"), "supervisor": _("supervisor"), "archivist": _("archivist"),
            "auditor": _("auditor"), "admin": _("administrator")}


def name_witnesses(db: Database, clock: Clock, actor: Actor, list_id: int,
                   usernames: tuple[str, str]) -> tuple[WitnessView, ...]:
    """The keeper who will execute the approved list ``list_id`` names its two witnesses (again:
    the new pair replaces the old one; a witness named again keeps their confirmation)."""
    require_keeper(actor)
    wanted = tuple(u.strip() for u in usernames)
    with db.transaction() as session:
        locked_list(session, list_id, "approved")
        users = _check_pair(session, actor, wanted)
        kept = {w.user_id: w for w in session.scalars(
            select(DisposalWitness).where(DisposalWitness.list_id == list_id))}
        dropped = [w.user_id for w in kept.values() if w.user_id not in {u.id for u in users}]
        session.execute(delete(DisposalWitness).where(DisposalWitness.list_id == list_id,
                                                      DisposalWitness.user_id.in_(dropped)))
        session.add_all(DisposalWitness(list_id=list_id, user_id=u.id, named_by_id=actor.user_id,
                                        named_at=clock.now()) for u in users if u.id not in kept)
        trail.append(session, at=clock.now(), actor=actor, action="disposal.witnesses",
                     object_type="disposal_list", object_id=str(list_id),
                     detail={"witnesses": list(wanted), "replaced": _usernames(session, dropped)})
        session.flush()
        return witnesses_of(session, list_id)


def _check_pair(session: Session, actor: Actor, wanted: tuple[str, ...]) -> list[User]:
    """The two users named, or every problem with them, each beside its field."""
    errors: dict[str, str] = {}
    found: list[User] = []
    for field, username in zip(FIELDS, wanted, strict=True):
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True))) \
            if username else None
        problem = _problem(actor, username, user)
        if problem:
            errors[field] = problem
        elif user is not None:
            found.append(user)
    if len(wanted) == 2 and wanted[0] and wanted[0] == wanted[1] and "witness_2" not in errors:
        errors["witness_2"] = _("The two witnesses must be two different people: %(name)s is named twice.",
                                name=wanted[1])
    if errors:
        raise DisposalRefused(errors)
    return found


def _problem(actor: Actor, username: str, user: User | None) -> str | None:
    if not username:
        return _("Choose a witness.")
    if user is None:
        return _("There is no active user %(name)s.", name=username)
    if user.id == actor.user_id:
        return _("You execute this destruction, so you cannot also witness it: name someone else.")
    if user.role not in WITNESS_ROLES:
        return _("%(name)s is a %(role)s; a witness must be an archivist, an auditor or an administrator.",
                 name=person(user.display_name, user.username),
                 role=role_names().get(user.role, user.role))
    return None


def confirm(db: Database, clock: Clock, actor: Actor, list_id: int) -> WitnessView:
    """The signed-in witness confirms that they witness the destruction of ``list_id`` (their own
    action: the identity is the actor's, never a name sent with the request)."""
    require_records_office(actor)
    with db.transaction() as session:
        locked_list(session, list_id, "approved")
        row = session.scalar(select(DisposalWitness).where(DisposalWitness.list_id == list_id,
                                                           DisposalWitness.user_id == actor.user_id))
        if row is None:
            raise DisposalRefused({"confirm": _("You are not a witness of destruction list %(id)d.",
                                                id=list_id)})
        if row.confirmed_at is not None:
            raise DisposalRefused({"confirm": _("You have already confirmed as a witness of destruction "
                                                "list %(id)d.", id=list_id)})
        if actor.role not in WITNESS_ROLES:  # a role changed since they were named
            raise DisposalRefused({"confirm": _("Your role no longer allows you to witness a destruction.")})
        row.confirmed_at = clock.now()
        trail.append(session, at=row.confirmed_at, actor=actor, action="disposal.witness",
                     object_type="disposal_list", object_id=str(list_id), detail={})
        session.flush()
        return next(w for w in witnesses_of(session, list_id) if w.username == actor.username)


def witnesses_of(session: Session, list_id: int) -> tuple[WitnessView, ...]:
    """The list's witnesses in the order each was first named (naming a pair again keeps the rows
    of those who stay, with their confirmations)."""
    return witnesses_by_list(session, list_id).get(list_id, ())


def witnesses_by_list(session: Session, list_id: int | None = None) -> dict[int, tuple[WitnessView, ...]]:
    """Every list's witnesses (or one list's), in one statement, by list id."""
    named_by = User.__table__.alias("named_by")
    query = (select(DisposalWitness.list_id, User.username, User.display_name, named_by.c.username,
                    DisposalWitness.named_at, DisposalWitness.confirmed_at)
             .join(User, User.id == DisposalWitness.user_id)
             .join(named_by, named_by.c.id == DisposalWitness.named_by_id)
             .order_by(DisposalWitness.list_id, DisposalWitness.id))
    if list_id is not None:
        query = query.where(DisposalWitness.list_id == list_id)
    found: dict[int, list[WitnessView]] = {}
    for listed, *row in session.execute(query):
        found.setdefault(listed, []).append(WitnessView(*row))
    return {listed: tuple(views) for listed, views in found.items()}


def require_witnessed(session: Session, list_id: int, executor: Actor) -> tuple[WitnessView, ...]:
    """Inside the executing transaction: two witnesses named, both confirmed, neither of them
    the executor; otherwise refused naming what is missing."""
    found = witnesses_of(session, list_id)
    if len(found) < 2:
        raise DisposalRefused({"witnesses": _("Name two witnesses before executing the destruction.")})
    if executor.username in {w.username for w in found}:
        raise DisposalRefused({"witnesses": _("You are a witness of this destruction, so you cannot "
                                              "execute it: another archivist or administrator does.")})
    waiting = [w.signed for w in found if w.confirmed_at is None]
    if waiting:
        raise DisposalRefused({"witnesses": _("Both witnesses confirm before the destruction; not yet "
                                              "confirmed: %(names)s.", names=", ".join(waiting))})
    return found


def eligible(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """Who the page offers as a witness: active users of the witnessing roles but the actor,
    as (username, name)."""
    require_records_office(actor)
    with db.reading() as session:
        rows = session.execute(select(User.username, User.display_name).where(
            User.active.is_(True), User.role.in_([r.value for r in WITNESS_ROLES]),
            User.id != actor.user_id).order_by(User.username))
        return [(username, person(name, username)) for username, name in rows]


def _usernames(session: Session, ids: list[int]) -> list[str]:
    if not ids:
        return []
    return sorted(session.scalars(select(User.username).where(User.id.in_(ids))))
