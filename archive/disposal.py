"""Controlled disposal (销毁): records whose retention has ended reach a daily list; an archivist
appraises them and proposes a destruction list (the proposal is the appraisal, 鉴定: its text
is the decision); an administrator other than the proposer approves (or rejects) it; the
keeper who will execute it names two witnesses (监销人), each of whom confirms on their own
(archive/witnesses.py); once both have, a keeper who is not a witness executes it. Execution
re-checks every record's holds inside the destroying transaction, deletes the record's
content, revisions and rendition rows, leaves a tombstone (code, 档号, class, dates, approver —
nothing personal), and files the destruction register (销毁清册, archive/destruction_register.py)
as a permanent record through the forms layer's hook. Files and index entries go after commit,
through the outbox, so a rolled-back execution never loses a file.

Records whose class ends in "review" reach the archivist's review list instead: keep them
longer, or clear them for destruction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, delete, exists, func, select
from sqlalchemy.orm import Session

from archive.attachment_models import Attachment
from archive.destruction_register import Destroyed, RegisterData, entry_for
from archive.disposal_state import OPEN_STATES, DisposalRefused, locked_list, state_labels
from archive.holds import active_hold_on, is_held
from archive.models import DisposalItem, DisposalList, Record, RecordRevision, Rendition, Tombstone
from archive.office import require_admin, require_keeper, require_records_office
from archive.purge import enqueue_purge
from archive.retention import add_months
from archive.witnesses import WitnessView, person, require_witnessed, witnesses_by_list, witnesses_of
from core.audit import trail
from core.audit.checkpoints import enqueue_checkpoint
from core.auth.models import User
from core.auth.roles import Actor, NotFound
from core.clock import Clock, local
from core.db import Database
from core.notifications.producers import tell_admins

__all__ = ["OPEN_STATES", "Destroyed", "DisposalHooks", "DisposalRefused", "RegisterData", "state_labels"]
#: Records on one page of a due list (a big archive's daily list can run to thousands).
PER_PAGE = 100
#: Destruction lists on one page of the disposal page (one a day is a long history).
LISTS_PER_PAGE = 20
MAX_NOTE = 2000


@dataclass(frozen=True)
class DueRecord:
    code: str
    title: str
    retention_class: str
    retention_until: date
    filed_at: datetime
    held: bool = False  # on the review list: a legal hold keeps it whatever is decided


@dataclass(frozen=True)
class ListView:
    id: int
    state: str
    note: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    executed_at: datetime | None
    register_code: str | None
    items: tuple[tuple[str, str | None], ...]  # (code, outcome)
    executed_by: str | None = None
    witnesses: tuple[WitnessView, ...] = ()  # the 监销人, named once the list is approved

    @property
    def appraisal(self) -> str:
        """The appraisal (鉴定) decision: the proposal's text."""
        return self.note

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "state": self.state, "note": self.note, "proposed_by": self.proposed_by,
                "proposed_at": self.proposed_at.isoformat(), "decided_by": self.decided_by,
                "appraisal": {"by": self.proposed_by, "at": self.proposed_at.isoformat(), "text": self.note},
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "decision_reason": self.decision_reason, "register_code": self.register_code,
                "executed_by": self.executed_by,
                "executed_at": self.executed_at.isoformat() if self.executed_at else None,
                "witnesses": [w.as_json() for w in self.witnesses],
                "items": [{"code": c, "outcome": o} for c, o in self.items]}


@dataclass(frozen=True)
class DisposalHooks:
    """What the forms layer does inside the destroying transaction: file the register (returns
    its code), remove what it keeps about a record (claims, the index entry), and give a
    record's title masked for the register (which keeps nothing personal)."""

    file_register: Callable[[Session, Actor, RegisterData], str]
    forget: Callable[[Session, str], None]
    masked_title: Callable[[Record], str] = lambda record: record.form_code


def today(clock: Clock, zone: ZoneInfo) -> date:
    return local(clock.now(), zone).date()


@dataclass(frozen=True)
class DuePage:
    """One page of a due list, in order of last day then code; ``more``: a next page exists
    (found by reading one row past the page, never by counting the list)."""

    items: list[DueRecord]
    page: int
    per_page: int
    more: bool


def due_list(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, *,
             action: str = "destroy") -> list[DueRecord]:
    """The first page of :func:`due_page` (``action``: destroy or review)."""
    return due_page(db, clock, zone, actor, action=action).items


def due_page(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, *, action: str = "destroy",
             page: int = 1, per_page: int | None = None) -> DuePage:
    """One page of the filed records whose last day has passed and whose end is ``action``
    (destroy: the daily disposal list, without held records and those already on an open list;
    review: the archivist's review list). Read from the index in list order, a page and one
    row; audited as a list of records with the codes shown."""
    require_records_office(actor)
    per_page, page = per_page or PER_PAGE, max(1, page)
    with db.reading() as session:
        rows = list(session.execute(_due(today(clock, zone), action).limit(per_page + 1)
                                    .offset((page - 1) * per_page)))
    due = [DueRecord(code, title, cls or "", until, filed, bool(held))
           for code, title, cls, until, filed, held in rows[:per_page]]
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action="record.list", object_type="record",
                     object_id="", detail={"list": f"due-{action}", "codes": [d.code for d in due],
                                           **({"page": page} if page > 1 else {})})
    return DuePage(due, page, per_page, len(rows) > per_page)


def _due(day: date, action: str) -> Select[Any]:
    """The records past their last day before ``day`` whose end is ``action`` (destroy: less
    the held ones and those on an open list), in list order: the partial index on (end_action,
    retention_until, code) gives them in order, each excluded one checked by its own index."""
    query = select(Record.code, Record.title, Record.retention_class, Record.retention_until,
                   Record.filed_at, active_hold_on(Record.code)).where(
        Record.end_action == action, Record.retention_until < day, Record.filed_at.is_not(None))
    if action == "destroy":
        query = query.where(~active_hold_on(Record.code), ~_on_open_list(Record.code))
    return query.order_by(Record.retention_until, Record.code)


def propose(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, codes: list[str],
            note: str) -> ListView:
    """A destruction list of records now on the due list; any other code is refused, named.
    ``note`` is the appraisal (鉴定) decision, which the register prints: it is required."""
    require_keeper(actor)
    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    note = note.strip()
    errors = _note_problem(note)
    if not wanted:
        raise DisposalRefused({"codes": _("Choose at least one record from the list of records due."),
                               **errors})
    with db.transaction() as session:  # checked and listed in one transaction
        due = set(session.scalars(_due(today(clock, zone), "destroy").where(Record.code.in_(wanted))))
        stray = [c for c in wanted if c not in due]
        if stray:
            errors["codes"] = _("Not due for destruction (or held, or on another list): %(codes)s.",
                                codes=", ".join(stray))
        if errors:  # every problem at once: the codes and the appraisal
            raise DisposalRefused(errors)
        listed = DisposalList(state="proposed", note=note, proposed_by_id=actor.user_id,
                              proposed_at=clock.now())
        session.add(listed)
        session.flush()
        session.add_all(DisposalItem(list_id=listed.id, record_code=c) for c in wanted)
        trail.append(session, at=clock.now(), actor=actor, action="disposal.propose",
                     object_type="disposal_list", object_id=str(listed.id), detail={"codes": wanted})
        tell_admins(session, event="destruction.awaiting", code=str(listed.id), at=clock.now(),
                    key=f"destruction.awaiting|{listed.id}", but=actor.user_id)  # those who approve
        session.flush()
        return _view(session, listed)


def _note_problem(note: str) -> dict[str, str]:
    if not note:
        return {"note": _("Write the appraisal: why these records may be destroyed.")}
    if len(note) > MAX_NOTE:
        return {"note": _("At most %(n)d characters.", n=MAX_NOTE)}
    return {}


def decide(db: Database, clock: Clock, actor: Actor, list_id: int, *, approve: bool,
           reason: str = "") -> ListView:
    """An administrator other than the proposer approves or rejects a proposed list."""
    require_admin(actor)
    reason = reason.strip()
    if not approve and not reason:
        raise DisposalRefused({"reason": _("Say why the list is rejected.")})
    with db.transaction() as session:
        listed = locked_list(session, list_id, "proposed")
        if listed.proposed_by_id == actor.user_id:
            raise DisposalRefused({"list": _("The proposer of a destruction list cannot approve it.")})
        listed.state = "approved" if approve else "rejected"
        listed.decided_by_id, listed.decided_at = actor.user_id, clock.now()
        listed.decision_reason = reason or None
        trail.append(session, at=clock.now(), actor=actor,
                     action="disposal.approve" if approve else "disposal.reject",
                     object_type="disposal_list", object_id=str(list_id), detail={"reason": reason})
        return _view(session, listed)


def execute(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, list_id: int,
            hooks: DisposalHooks) -> ListView:
    """Destroy an approved list's records once both its witnesses have confirmed, in one
    transaction that re-checks each one's holds; the register is filed in it, and the audit
    trail's checkpoint queued (written to the instance's checkpoints file after commit, covering
    this destruction's events)."""
    require_keeper(actor)
    with db.transaction() as session:
        listed = locked_list(session, list_id, "approved")
        witnesses = require_witnessed(session, list_id, actor)
        now = clock.now()
        entries, paths = [], []
        for item in session.scalars(select(DisposalItem).where(DisposalItem.list_id == list_id)
                                    .order_by(DisposalItem.record_code)):
            entry, removed = _dispose(session, now, zone, actor, listed, item.record_code, hooks)
            item.outcome = entry.outcome if entry else "gone"
            entries.append(entry or Destroyed(item.record_code, "", local(now, zone).date(), None, "gone"))
            paths.extend(removed)
        listed.state, listed.executed_by_id, listed.executed_at = "executed", actor.user_id, now
        listed.register_code = hooks.file_register(session, actor, RegisterData(
            list_id, _person(session, listed.proposed_by_id), _person(session, listed.decided_by_id),
            listed.decided_at or now, person(actor.display_name, actor.username), tuple(entries),
            appraisal=listed.note, appraised_at=listed.proposed_at, executed_at=now, witnesses=witnesses))
        enqueue_purge(session, subject=f"disposal-{list_id}", at=now, paths=paths)
        trail.append(session, at=now, actor=actor, action="disposal.execute", object_type="disposal_list",
                     object_id=str(list_id), detail={"register": listed.register_code, "outcomes": {
                         e.code: e.outcome for e in entries}, "witnesses": [w.username for w in witnesses]})
        enqueue_checkpoint(session, at=now, reason=f"destruction DL-{list_id} {listed.register_code}")
        return _view(session, listed)


def _dispose(session: Session, now: datetime, zone: ZoneInfo, actor: Actor, listed: DisposalList,
             code: str, hooks: DisposalHooks) -> tuple[Destroyed | None, list[str]]:
    """Destroy one record unless, since it was proposed, a hold has reached it or its schedule
    no longer ends in destruction now (a review kept it longer, or its class was lengthened or
    changed to review or permanent): the list is a proposal, the record's schedule and holds
    decide at the moment of destruction. Returns (entry, file paths)."""
    record = session.scalar(select(Record).where(Record.code == code).with_for_update())
    if record is None:
        return None, []
    entry = entry_for(session, record, hooks.masked_title(record), now, zone)
    still_due = (record.end_action == "destroy" and record.retention_until is not None
                 and record.retention_until < local(now, zone).date())
    spared = "held" if is_held(session, code) else None if still_due else "kept"
    if spared:
        trail.append(session, at=now, actor=actor, action="disposal.skip", object_type="record",
                     object_id=code, detail={"list": listed.id, "why": spared,
                                             "end_action": record.end_action,
                                             "retention_until": _iso(record.retention_until)})
        return replace(entry, outcome=spared), []
    paths = list(session.scalars(select(Rendition.path).where(Rendition.record_id == record.id)))
    attached = session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.record_id == record.id)) or 0
    session.add(Tombstone(code=code, form_code=record.form_code, year=record.year, seq=record.seq,
                          attachments=attached, archival_code=record.archival_code,
                          retention_class=record.retention_class or "", submitted_at=record.submitted_at,
                          filed_at=record.filed_at, retention_until=record.retention_until, destroyed_at=now,
                          approved_by_id=listed.decided_by_id, disposal_list_id=listed.id))
    session.execute(delete(Rendition).where(Rendition.record_id == record.id))
    paths += _forget_attachments(session, record.id)
    session.execute(delete(RecordRevision).where(RecordRevision.record_id == record.id))
    session.delete(record)
    hooks.forget(session, code)
    trail.append(session, at=now, actor=actor, action="record.destroy", object_type="record", object_id=code,
                 detail={"list": listed.id, "retention_class": entry.retention_class, "files": len(paths)})
    return entry, paths


def _forget_attachments(session: Session, record_id: int) -> list[str]:
    """Delete a destroyed record's attachment rows (its files and a legacy import's scan: the
    rows point at the record, which could not be deleted before them); returns the keys no other
    record's attachment names any more, for the purge (the store is by content: the same bytes
    attached elsewhere stay)."""
    keys = set(session.scalars(select(Attachment.key).where(Attachment.record_id == record_id)))
    keys.update(k for k in session.scalars(select(Attachment.thumbnail_key).where(
        Attachment.record_id == record_id)) if k)
    session.execute(delete(Attachment).where(Attachment.record_id == record_id))
    if not keys:
        return []
    named = set(session.scalars(select(Attachment.key).where(Attachment.key.in_(keys))))
    named.update(session.scalars(select(Attachment.thumbnail_key).where(Attachment.thumbnail_key.in_(keys))))
    return sorted(keys - named)


@dataclass(frozen=True)
class ListSummary:
    """A destruction list as the disposal page lists it: no items, their number."""

    id: int
    state: str
    proposed_by: str
    proposed_at: datetime
    register_code: str | None
    records: int


def recent_lists(db: Database, actor: Actor, *, page: int = 1,
                 per_page: int | None = None) -> tuple[list[ListSummary], bool]:
    """One page of the destruction lists, newest first, and whether older ones follow: one
    statement (each list's records counted by the index on list id), however long the history."""
    require_records_office(actor)
    per_page, page = per_page or LISTS_PER_PAGE, max(1, page)
    records = select(func.count()).where(DisposalItem.list_id == DisposalList.id).scalar_subquery()
    with db.reading() as session:
        rows = session.execute(
            select(DisposalList.id, DisposalList.state, User.username, DisposalList.proposed_at,
                   DisposalList.register_code, records)
            .outerjoin(User, User.id == DisposalList.proposed_by_id)
            .order_by(DisposalList.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)).all()
    return [ListSummary(i, state, by or "", at, register, n) for i, state, by, at, register, n
            in rows[:per_page]], len(rows) > per_page


def list_lists(db: Database, actor: Actor) -> list[ListView]:
    """Every destruction list with its items and witnesses, newest first (the API's list): four
    statements however long the history, not four per list."""
    require_records_office(actor)
    with db.reading() as session:
        lists = list(session.scalars(select(DisposalList).order_by(DisposalList.id.desc())))
        items: dict[int, list[tuple[str, str | None]]] = {d.id: [] for d in lists}
        for list_id, code, outcome in session.execute(select(
                DisposalItem.list_id, DisposalItem.record_code, DisposalItem.outcome)
                .order_by(DisposalItem.list_id, DisposalItem.record_code)):
            items.setdefault(list_id, []).append((code, outcome))
        names = dict(session.execute(select(User.id, User.username)).all())
        witnesses = witnesses_by_list(session)
        return [ListView(d.id, d.state, d.note, names.get(d.proposed_by_id, ""), d.proposed_at,
                         names.get(d.decided_by_id) if d.decided_by_id else None, d.decided_at,
                         d.decision_reason, d.executed_at, d.register_code, tuple(items[d.id]),
                         names.get(d.executed_by_id) if d.executed_by_id else None,
                         witnesses.get(d.id, ()))
                for d in lists]


def get_list(db: Database, actor: Actor, list_id: int) -> ListView:
    require_records_office(actor)
    with db.reading() as session:
        listed = session.get(DisposalList, list_id)
        if listed is None:
            raise NotFound(_("No destruction list %(id)d.", id=list_id))
        return _view(session, listed)


def _on_open_list(code: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL: ``code`` is on a destruction list not yet executed or rejected."""
    return exists().where(DisposalItem.record_code == code, DisposalItem.list_id == DisposalList.id,
                          DisposalList.state.in_(OPEN_STATES))


def _username(session: Session, user_id: int | None) -> str:
    return session.scalar(select(User.username).where(User.id == user_id)) or "" if user_id else ""


def _person(session: Session, user_id: int | None) -> str:
    """A user as the register writes them: "name（username）"."""
    row = session.execute(select(User.display_name, User.username).where(User.id == user_id)).first() \
        if user_id else None
    return person(*row) if row else ""


def _view(session: Session, listed: DisposalList) -> ListView:
    items = tuple((code, outcome) for code, outcome in session.execute(
        select(DisposalItem.record_code, DisposalItem.outcome).where(
            DisposalItem.list_id == listed.id).order_by(DisposalItem.record_code)))
    return ListView(listed.id, listed.state, listed.note, _username(session, listed.proposed_by_id),
                    listed.proposed_at, _username(session, listed.decided_by_id) or None, listed.decided_at,
                    listed.decision_reason, listed.executed_at, listed.register_code, items,
                    _username(session, listed.executed_by_id) or None, witnesses_of(session, listed.id))


def review(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str, *, keep_years: int,
           reason: str) -> date | None:
    """An archivist's decision on a record at the end of a "review" period: keep it
    ``keep_years`` more (0: clear it for destruction now). Returns its new last day."""
    require_keeper(actor)
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why (the decision is part of the record's history).")
    if not 0 <= keep_years <= 100:
        errors["keep_years"] = _("A whole number of years from 0 to 100.")
    if errors:
        raise DisposalRefused(errors)
    with db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code).with_for_update())
        if record is None or record.end_action != "review" or record.retention_until is None \
                or record.retention_until >= today(clock, zone):
            raise DisposalRefused({"code": _("%(code)s is not on the review list.", code=code)})
        before = record.retention_until
        if keep_years:
            record.retention_until = add_months(before, keep_years * 12)
        else:
            record.end_action = "destroy"
        record.reviewed_at = clock.now()
        trail.append(session, at=clock.now(), actor=actor, action="record.review", object_type="record",
                     object_id=code, detail={"keep_years": keep_years, "reason": reason,
                                             "until_before": before.isoformat(),
                                             "until": record.retention_until.isoformat()})
        return record.retention_until


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
