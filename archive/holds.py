"""Legal holds (冻结): a named hold with a reason and an owner; records join it by code (or by
the codes a search found). While a hold is active none of its records is disposed of — the
destroying transaction checks again (archive.disposal). Releasing a hold needs a reason; every
step is in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from archive.models import HeldRecord, LegalHold, Record, Tombstone
from archive.office import require_keeper, require_records_office
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor, NotFound
from core.clock import Clock, local
from core.db import Database
from core.problems import FieldProblems
from search.query import record_code

#: What a record code looks like (``CP-2026-000123``); anything else is refused as no code at all.
RECORD_CODE = re.compile(r"[A-Z]{2,8}-\d{4}-\d{6,}")
MAX_NAME = 200
MAX_REASON = 2000
#: Holds on one page of the list of holds.
HOLDS_PER_PAGE = 50


class InvalidHold(FieldProblems):
    """What is wrong with a hold's values or its records; ``errors`` names each field."""


@dataclass(frozen=True)
class HoldView:
    id: int
    name: str
    reason: str
    owner: str
    created_at: datetime
    released_at: datetime | None
    release_reason: str | None
    codes: tuple[str, ...]

    @property
    def active(self) -> bool:
        return self.released_at is None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "reason": self.reason, "owner": self.owner,
                "created_at": self.created_at.isoformat(), "active": self.active,
                "released_at": self.released_at.isoformat() if self.released_at else None,
                "release_reason": self.release_reason, "records": list(self.codes)}


def active_hold_on(code: ColumnElement[str] | str) -> ColumnElement[bool]:
    """SQL: an active hold contains ``code`` (a value, or a column such as ``Record.code``)."""
    return exists().where(HeldRecord.record_code == code, HeldRecord.hold_id == LegalHold.id,
                          LegalHold.released_at.is_(None))


def is_held(session: Session, code: str) -> bool:
    """Whether an active hold contains ``code`` (read in the caller's transaction)."""
    return bool(session.scalar(select(active_hold_on(code))))


def create_hold(db: Database, clock: Clock, actor: Actor, *, name: str, reason: str, owner: str) -> HoldView:
    require_keeper(actor)
    name, reason = name.strip(), reason.strip()
    errors = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = _("A name of 1 to %(n)d characters.", n=MAX_NAME)
    if not reason or len(reason) > MAX_REASON:
        errors["reason"] = _("A reason of 1 to %(n)d characters.", n=MAX_REASON)
    with db.transaction() as session:
        owner_id = session.scalar(select(User.id).where(User.username == owner.strip(),
                                                        User.active.is_(True)))
        if owner_id is None:
            errors["owner"] = _("No active user %(name)s.", name=owner)
        if errors:
            raise InvalidHold(errors)
        hold = LegalHold(name=name, reason=reason, owner_id=owner_id, created_by_id=actor.user_id,
                         created_at=clock.now())
        session.add(hold)
        session.flush()
        trail.append(session, at=clock.now(), actor=actor, action="hold.create", object_type="hold",
                     object_id=str(hold.id), detail={"name": name, "owner": owner.strip()})
        return _view(session, hold)


@dataclass(frozen=True)
class Addition:
    """What adding codes to a hold did: each code typed is added, already on the hold, or
    refused with the reason (in the typed order), so one mistyped code holds back no other."""

    hold: HoldView
    added: list[str]
    already: list[str]
    refused: dict[str, str]  # code as typed (upper case) → why it cannot be held

    def as_json(self) -> dict[str, object]:
        return {"hold": self.hold.as_json(), "added": self.added, "already": self.already,
                "refused": self.refused}


def add_records(db: Database, clock: Clock, actor: Actor, hold_id: int, codes: Iterable[str],
                *, via: str = "codes", zone: ZoneInfo | None = None) -> Addition:
    """Put on an active hold every code that names an existing record, written as search reads
    codes (``cp-2026-2`` is CP-2026-000002: it was refused as "not a record code" while search
    opened that record); the others are refused,
    each with its reason (not a record code, no such record, destroyed on which day — in
    ``zone``). Only when none can be added is the whole request refused (InvalidHold)."""
    require_keeper(actor)
    wanted = list(dict.fromkeys(record_code(c) or c.strip().upper() for c in codes if c.strip()))
    if not wanted:
        raise InvalidHold({"codes": _("Name at least one record code.")})
    with db.transaction() as session:
        hold = _active(session, hold_id)
        refused = _refusals(session, wanted, zone or ZoneInfo("UTC"))
        held = set(session.scalars(select(HeldRecord.record_code).where(HeldRecord.hold_id == hold_id)))
        added = sorted(c for c in wanted if c not in refused and c not in held)
        already = sorted(c for c in wanted if c in held)
        if not added and not already:
            raise InvalidHold({"codes": refusal_text(refused)})
        for code in added:
            session.add(HeldRecord(hold_id=hold_id, record_code=code, added_by_id=actor.user_id,
                                   added_at=clock.now()))
        trail.append(session, at=clock.now(), actor=actor, action="hold.add", object_type="hold",
                     object_id=str(hold_id), detail={"codes": added, "via": via, "refused": refused})
        session.flush()
        return Addition(_view(session, hold), added, already, refused)


def refusal_text(refused: dict[str, str]) -> str:
    """The refused codes with their reasons, one sentence (the hold page's field message)."""
    return _("Not added: %(list)s.", list=_("; ").join(
        _("%(code)s: %(why)s", code=code, why=why) for code, why in refused.items()))


def _refusals(session: Session, wanted: list[str], zone: ZoneInfo) -> dict[str, str]:
    """Why each code of ``wanted`` that names no existing record cannot be held."""
    shaped = [c for c in wanted if RECORD_CODE.fullmatch(c)]
    known = set(session.scalars(select(Record.code).where(Record.code.in_(shaped))))
    gone = dict(session.execute(select(Tombstone.code, Tombstone.destroyed_at)
                                .where(Tombstone.code.in_(shaped))).all())
    refused: dict[str, str] = {}
    for code in wanted:
        if code in known:
            continue
        if code not in shaped:
            refused[code] = _("not a record code (a code looks like CP-2026-000123)")
        elif code in gone:
            refused[code] = _("destroyed on %(day)s; a destroyed record cannot be held",
                              day=local(gone[code], zone).date().isoformat())
        else:
            refused[code] = _("no such record")
    return refused


def add_found(db: Database, clock: Clock, actor: Actor, hold_id: int, codes: list[str], *,
              search: str, limit: int) -> Addition:
    """Put on a hold every record a search found (``codes``: at most ``limit`` + 1 of them, so
    that "too many" shows). A search that finds nothing or too much adds nothing: a hold is a
    deliberate list, so an over-broad search must be narrowed rather than cut off silently.
    ``search`` describes it for the audit trail."""
    if not codes:
        raise InvalidHold({"search": _("The search finds no records.")})
    if len(codes) > limit:
        raise InvalidHold({"search": _("The search finds more than %(n)d records; narrow it.", n=limit)})
    return add_records(db, clock, actor, hold_id, codes, via=f"search {search}")


def release_hold(db: Database, clock: Clock, actor: Actor, hold_id: int, reason: str) -> HoldView:
    require_keeper(actor)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidHold({"reason": _("A reason of 1 to %(n)d characters.", n=MAX_REASON)})
    with db.transaction() as session:
        hold = _active(session, hold_id)
        hold.released_at, hold.released_by_id, hold.release_reason = clock.now(), actor.user_id, reason
        trail.append(session, at=clock.now(), actor=actor, action="hold.release", object_type="hold",
                     object_id=str(hold_id), detail={"reason": reason})
        return _view(session, hold)


@dataclass(frozen=True)
class HoldMark:
    """An active hold as a record's page shows it."""

    id: int | None  # None (and no name) for readers outside the records office
    name: str
    since: datetime


def holds_on(db: Database, actor: Actor, code: str) -> list[HoldMark]:
    """The active holds on record ``code`` (the caller has checked ``actor`` may read it). The
    records office sees each hold's name and page; any other reader learns only that, and since
    when, the record is held — the legal matter itself may be confidential. Not a read of the
    record's content, so not audited."""
    with db.reading() as session:
        rows = session.execute(select(LegalHold.id, LegalHold.name, HeldRecord.added_at)
                               .join(HeldRecord, HeldRecord.hold_id == LegalHold.id)
                               .where(HeldRecord.record_code == code, LegalHold.released_at.is_(None))
                               .order_by(HeldRecord.added_at, LegalHold.id)).all()
    if actor.sees_all_departments:
        return [HoldMark(hold_id, name, since) for hold_id, name, since in rows]
    return [HoldMark(None, "", min(since for _id, _name, since in rows))] if rows else []


def owner_choices(db: Database) -> list[tuple[str, str]]:
    """(username, display name) of every active user, by display name: who may own a hold."""
    with db.reading() as session:
        rows = session.execute(select(User.username, User.display_name).where(User.active.is_(True))
                               .order_by(User.display_name, User.username)).all()
    return [(username, name or username) for username, name in rows]


@dataclass(frozen=True)
class HoldSummary:
    """A hold as the list of holds shows it: its records counted, not listed."""

    id: int
    name: str
    owner: str
    released_at: datetime | None
    records: int

    @property
    def active(self) -> bool:
        return self.released_at is None


def hold_summaries(db: Database, actor: Actor, *, page: int = 1,
                   per_page: int | None = None) -> tuple[list[HoldSummary], bool]:
    """One page of the holds, newest first, and whether older ones follow: one statement, each
    hold's records counted by the (hold, code) index rather than read, however many it holds."""
    require_records_office(actor)
    per_page, page = per_page or HOLDS_PER_PAGE, max(1, page)
    records = select(func.count()).where(HeldRecord.hold_id == LegalHold.id).scalar_subquery()
    with db.reading() as session:
        rows = session.execute(
            select(LegalHold.id, LegalHold.name, User.username, LegalHold.released_at, records)
            .outerjoin(User, User.id == LegalHold.owner_id)
            .order_by(LegalHold.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)).all()
    return [HoldSummary(i, name, owner or "", released, n) for i, name, owner, released, n
            in rows[:per_page]], len(rows) > per_page


def list_holds(db: Database, actor: Actor) -> list[HoldView]:
    """Every hold with every record it holds, newest first (the API's list): three statements
    however many holds there are (their owners joined, their codes read together), not three
    per hold."""
    require_records_office(actor)
    with db.reading() as session:
        found = session.execute(select(LegalHold, User.username).outerjoin(
            User, User.id == LegalHold.owner_id).order_by(LegalHold.id.desc())).all()
        codes: dict[int, list[str]] = {hold.id: [] for hold, _owner in found}
        for hold_id, code in session.execute(select(HeldRecord.hold_id, HeldRecord.record_code)
                                             .order_by(HeldRecord.hold_id, HeldRecord.record_code)):
            codes.setdefault(hold_id, []).append(code)
        return [HoldView(h.id, h.name, h.reason, owner or "", h.created_at, h.released_at, h.release_reason,
                         tuple(codes[h.id])) for h, owner in found]


def get_hold(db: Database, actor: Actor, hold_id: int) -> HoldView:
    require_records_office(actor)
    with db.reading() as session:
        hold = session.get(LegalHold, hold_id)
        if hold is None:
            raise NotFound(_("No legal hold %(id)d.", id=hold_id))
        return _view(session, hold)


def _active(session: Session, hold_id: int) -> LegalHold:
    hold = session.get(LegalHold, hold_id, with_for_update=True)
    if hold is None:
        raise NotFound(_("No legal hold %(id)d.", id=hold_id))
    if hold.released_at is not None:
        raise InvalidHold({"hold": _("Legal hold %(id)d has been released.", id=hold_id)})
    return hold


def _view(session: Session, hold: LegalHold) -> HoldView:
    owner = session.scalar(select(User.username).where(User.id == hold.owner_id)) or ""
    codes = tuple(session.scalars(select(HeldRecord.record_code).where(
        HeldRecord.hold_id == hold.id).order_by(HeldRecord.record_code)))
    return HoldView(hold.id, hold.name, hold.reason, owner, hold.created_at, hold.released_at,
                    hold.release_reason, codes)
