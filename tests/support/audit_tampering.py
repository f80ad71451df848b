"""What whoever holds the database can do to the audit trail, for the anchoring tests (issue 20):
drop the triggers that refuse UPDATE and DELETE, edit or delete events, recompute the chain
after them (without the key, or with a guessed one) and move the head back. Plus the honest
helpers: the key made as ``flask init`` makes it, events appended, ``audit verify`` run."""

from __future__ import annotations

import secrets
from pathlib import Path

from click.testing import Result
from flask import Flask
from sqlalchemy import select, text, update

from core.audit import trail
from core.audit.anchor import audit_anchor, ensure_key
from core.audit.keys import AuditKey
from core.audit.models import AuditEvent, AuditHead
from core.web import services

GUARDS = {"sqlite": ("DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"),
          "postgresql": ("DROP TRIGGER audit_events_append_only ON audit_events",)}


def make_key(app: Flask) -> AuditKey:
    """The instance's audit key, as ``flask init`` creates it (with its first checkpoint)."""
    with app.app_context():
        ensure_key(services().db, services().clock, audit_anchor())
        key = audit_anchor().keyring.key()
    assert key is not None
    return key


def append_events(app: Flask, count: int, action: str = "test.event") -> list[int]:
    """``count`` events, each in its own transaction as an audited read's; their seqs."""
    with app.app_context():
        s = services()
        return [trail.append_alone(s.db, at=s.clock.now(), actor=None, action=action,
                                   object_type="test", object_id=str(n), actor_name="tester",
                                   detail={"n": n, "text": "投诉 №" + str(n)})
                for n in range(count)]


def checkpoint(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["audit", "checkpoint", "--lang", "en", *args])


def verify(app: Flask, *args: str, lang: str = "en") -> Result:
    return app.test_cli_runner().invoke(args=["audit", "verify", "--lang", lang, *args])


def checkpoint_file(app: Flask) -> Path:
    with app.app_context():
        return audit_anchor().checkpoint_file


def drop_guards(app: Flask) -> None:
    """Drop the triggers that make audit_events append-only, as the database's owner can."""
    with app.app_context(), services().db.transaction() as session:
        for statement in GUARDS[services().db.dialect]:
            session.execute(text(statement))


def event_id(app: Flask, seq: int) -> int:
    with app.app_context(), services().db.reading() as session:
        return int(session.scalar(select(AuditEvent.id).where(AuditEvent.seq == seq)))


def head(app: Flask) -> tuple[int, str]:
    with app.app_context(), services().db.reading() as session:
        row = session.get(AuditHead, 1)
        assert row is not None
        return row.seq, row.hash


def delete_and_rechain(app: Flask, seq: int, *, key: AuditKey | None = None) -> None:
    """Delete event ``seq``, renumber the events after it, recompute their links (plain SHA-256,
    or with ``key``: a guessed one) and move the head: the chain is whole again, to anyone
    without the instance's key."""
    drop_guards(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": seq})
        prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) \
            or "0" * 64
        later = list(session.scalars(select(AuditEvent).where(AuditEvent.seq > seq)
                                     .order_by(AuditEvent.seq)))
        for event in later:
            event.seq -= 1
            event.prev_hash = prev
            event.hash = prev = trail.event_hash(
                seq=event.seq, at=event.at, actor_id=event.actor_id, actor_name=event.actor_name,
                action=event.action, object_type=event.object_type, object_id=event.object_id,
                detail=event.detail, prev_hash=event.prev_hash, key=key)
            session.flush()
        last = later[-1].seq if later else seq - 1
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=last, hash=prev))


def cut_tail(app: Flask, keep: int) -> None:
    """Delete every event after seq ``keep`` and move the head back to it."""
    drop_guards(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": keep})
        last = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == keep))
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=keep, hash=last))


def edit_event(app: Flask, seq: int, actor_name: str = "mallory") -> None:
    drop_guards(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("UPDATE audit_events SET actor_name = :name WHERE seq = :seq"),
                        {"name": actor_name, "seq": seq})


def guessed_key(real: AuditKey) -> AuditKey:
    return AuditKey(secrets.token_bytes(32), real.keyed_from, real.created_at)


def key_made_while_appending(app: Flask, *, appenders: int = 3, each: int = 25) -> list[bool]:
    """``appenders`` threads append events one at a time; once a few are in, two threads run
    ``flask init``'s key step at once while the appends go on. What each key step returned
    (True: it made the key)."""
    import threading

    made: list[bool] = []
    going = threading.Event()

    def append() -> None:
        for n in range(each):
            append_events(app, 1, "test.concurrent")
            if n == 3:
                going.set()

    def make() -> None:
        going.wait(timeout=60)
        with app.app_context():
            made.append(ensure_key(services().db, services().clock, audit_anchor()))

    threads = [threading.Thread(target=append) for _ in range(appenders)]
    threads += [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return made


def concurrent_events_before_the_key(app: Flask) -> list[int]:
    """The seqs of :func:`key_made_while_appending`'s events that came before the key."""
    with app.app_context(), services().db.reading() as session:
        key = audit_anchor().keyring.key()
        assert key is not None
        return list(session.scalars(select(AuditEvent.seq).where(
            AuditEvent.action == "test.concurrent", AuditEvent.seq < key.keyed_from)))
