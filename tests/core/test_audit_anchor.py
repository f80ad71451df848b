"""The audit trail anchored outside the database (issue 20): keyed links and checkpoints.

Whoever holds the database (here: drops the append-only triggers and rewrites rows) cannot
rewrite the trail unseen: an edited event, a deleted event with the chain recomputed without
the key (or with a guessed one), a cut tail with the head moved back, an older database put
back, and an edited checkpoint line are each found by ``audit verify``, which names the first
event (or line) that disagrees.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit import trail
from core.audit.anchor import audit_anchor
from core.audit.checkpoints import TOPIC, enqueue_checkpoint
from core.audit.keys import AuditKeyError, read_key
from core.audit.models import AuditEvent
from core.clock import FrozenClock, SystemClock
from core.config import ConfigError
from core.outbox.cli import app_worker
from core.web import services
from tests.support.audit_tampering import (
    append_events,
    checkpoint,
    checkpoint_file,
    concurrent_events_before_the_key,
    cut_tail,
    delete_and_rechain,
    edit_event,
    event_id,
    guessed_key,
    head,
    key_made_while_appending,
    make_key,
    verify,
)
from tests.support.instance import PASSWORD, csrf_token, make_app

T0 = datetime(2026, 12, 5, 4, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def test_init_creates_the_key_0600_outside_the_database_and_a_first_checkpoint(app):
    before = head(app)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    key_file = audit_anchor_path(app)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    stored = json.loads(key_file.read_text())
    assert stored["keyed_from"] == before[0] + 1  # the events before the key keep their plain links
    assert stored["key"] not in result.output  # never shown
    lines = checkpoint_file(app).read_text().splitlines()
    first = json.loads(lines[0])
    assert (first["seq"], first["hash"], first["reason"], first["keyed"]) == (*before, "key created", True)
    assert first["at"] == T0.isoformat()  # microseconds kept
    again = app.test_cli_runner().invoke(args=["init"])
    assert "Audit key: present" in again.output and json.loads(key_file.read_text()) == stored
    assert verify(app).exit_code == 0


def audit_anchor_path(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return audit_anchor().keyring.path


def test_links_after_the_key_are_hmacs_with_it_and_verify_passes(app):
    key = make_key(app)
    seqs = append_events(app, 3)
    with app.app_context(), services().db.reading() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.seq.in_(seqs))))
        for event in events:
            fields = {"seq": event.seq, "at": event.at, "actor_id": event.actor_id,
                      "actor_name": event.actor_name, "action": event.action,
                      "object_type": event.object_type, "object_id": event.object_id,
                      "detail": event.detail, "prev_hash": event.prev_hash}
            assert event.hash == trail.event_hash(**fields, key=key)
            assert event.hash != trail.event_hash(**fields)
        assert events[0].at == T0
    result = verify(app)
    assert result.exit_code == 0 and "chain intact; 1 checkpoint(s) agree" in result.output


def test_an_edited_event_is_named(app):
    make_key(app)
    seqs = append_events(app, 4)
    edit_event(app, seqs[1])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={seqs[1]} (id={event_id(app, seqs[1])}): its content does not " \
           "match its hash" in result.output


@pytest.mark.parametrize("recomputed_with", ["plain SHA-256", "a guessed key"])
def test_a_deleted_event_with_the_chain_recomputed_without_the_key_is_named(app, recomputed_with):
    key = make_key(app)
    seqs = append_events(app, 5)
    delete_and_rechain(app, seqs[2], key=guessed_key(key) if recomputed_with == "a guessed key" else None)
    with app.app_context(), services().db.reading() as session:
        assert len(list(session.scalars(select(AuditEvent.seq)))) == seqs[-1] - 1  # one fewer, no gap
    result = verify(app)
    assert result.exit_code == 1
    named = f"BROKEN at event seq={seqs[2]} (id={event_id(app, seqs[2])}): "
    assert named in result.output  # the event that took the deleted one's place
    if recomputed_with == "plain SHA-256":
        assert "its link is a plain hash where the key was due" in result.output
    else:
        assert "its content does not match its hash" in result.output


def test_a_cut_tail_with_the_head_moved_back_is_found_against_the_checkpoints(app):
    make_key(app)
    seqs = append_events(app, 6)
    written = checkpoint(app)
    assert written.exit_code == 0 and f"Checkpoint appended: seq {seqs[-1]}." in written.output
    cut_tail(app, keep=seqs[2])
    with app.app_context(), services().db.reading() as session:
        assert trail.verify(session)[1] is None  # the chain alone is whole: only the anchor knows
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={seqs[2]} (id={event_id(app, seqs[2])}): the chain ends here, but " \
           f"the checkpoint of 2026-12-05 12:30:15 (line 2 of the checkpoints file) recorded seq " \
           f"{seqs[-1]}" in result.output
    # the event named is the last one left, and intact itself: it counts among the intact ones
    assert f"The {seqs[2]} events up to and including it are intact." in result.output
    zh = verify(app, lang="zh")
    assert f"截至该事件（含）的 {seqs[2]} 条事件完好" in zh.output \
        and "但 2026-12-05 12:30:15 的检查点" in zh.output


def test_an_older_database_put_back_is_found_against_newer_checkpoints(app, instance_dir, clock):
    make_key(app)
    append_events(app, 2)
    with app.app_context():
        services().db.dispose()
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(database, instance_dir / "old.sqlite3")  # the copy someone keeps
    clock.advance(seconds=90)
    later = append_events(app, 3)
    with app.app_context():
        assert run_checkpoint_job(app) == f"checkpoint at seq {later[-1]}"
        services().db.dispose()
    shutil.copy(instance_dir / "old.sqlite3", database)
    result = verify(app)
    assert result.exit_code == 1 and "the chain ends here, but the checkpoint of 2026-12-05 12:31:45" \
        in result.output and f"recorded seq {later[-1]}" in result.output
    append_events(app, 4, "other.event")  # the old database carries on: other events, same seqs
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={later[-1]} (id={event_id(app, later[-1])}): it is not the event " \
           "the checkpoint of 2026-12-05 12:31:45" in result.output


def run_checkpoint_job(app) -> str:  # type: ignore[no-untyped-def]
    from core.outbox.jobs import Jobs
    from core.ports import registry

    return registry(Jobs)["audit_checkpoint"].run().summary


def test_an_edited_or_removed_checkpoint_line_is_named(app):
    make_key(app)
    append_events(app, 2)
    assert checkpoint(app).exit_code == 0
    append_events(app, 2)
    assert checkpoint(app).exit_code == 0
    path = checkpoint_file(app)
    original = path.read_text().splitlines()
    line = json.loads(original[1])
    line["seq"] -= 1  # "the head was earlier than that"
    path.write_text("\n".join([original[0], json.dumps(line), original[2]]) + "\n")
    result = verify(app)
    assert result.exit_code == 1
    assert "line 2: its content does not match its MAC (the line was edited)" in result.output
    path.write_text("\n".join([original[0], original[2]]) + "\n")
    result = verify(app)
    assert result.exit_code == 1 and "line 2: it does not follow the line before it" in result.output
    path.write_text("")
    assert "no keyed checkpoint" in verify(app).output
    path.write_text("\n".join(original) + "\n")
    assert verify(app).exit_code == 0


def test_a_recomputed_checkpoint_line_needs_the_key(app):
    """Someone who edits a line and recomputes its MAC as a plain SHA-256 is still caught."""
    make_key(app)
    append_events(app, 2)
    assert checkpoint(app).exit_code == 0
    path = checkpoint_file(app)
    lines = [json.loads(raw) for raw in path.read_text().splitlines()]
    forged = {**lines[1], "hash": "f" * 64, "keyed": False}
    body = {k: v for k, v in forged.items() if k != "mac"}
    forged["mac"] = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                              separators=(",", ":")).encode()).hexdigest()
    path.write_text("\n".join(json.dumps(x) for x in (lines[0], forged)) + "\n")
    result = verify(app)
    assert result.exit_code == 1 and "line 2: an unkeyed line after keyed ones" in result.output


def test_events_before_the_key_stay_plain_and_are_anchored_by_its_checkpoint(app):
    old = append_events(app, 3)  # an instance older than the key
    key = make_key(app)
    assert key.keyed_from == old[-1] + 1
    append_events(app, 2)
    assert verify(app).exit_code == 0
    delete_and_rechain(app, old[0])  # rewriting the plain part, plain hashes all the way
    result = verify(app)
    assert result.exit_code == 1
    # the first keyed event, rehashed plain, moved to seq keyed_from - 1: the key-created
    # checkpoint there recorded another event
    assert f"BROKEN at event seq={old[-1]} (id={event_id(app, old[-1])}): it is not the event the " \
           "checkpoint of 2026-12-05 12:30:15 (line 1 of the checkpoints file)" in result.output


def test_a_head_written_down_is_checked_with_expect(app):
    make_key(app)
    append_events(app, 2)
    printed = checkpoint(app, "--print")
    assert printed.exit_code == 0
    seq, digest = head(app)
    assert f"seq:  {seq}" in printed.output and f"hash: {digest}" in printed.output
    assert "time: 2026-12-05 12:30:15 office time (2026-12-05T04:30:15.123456+00:00)" in printed.output
    assert verify(app, "--expect", f"{seq}:{digest}").exit_code == 0
    wrong = verify(app, "--expect", f"{seq}:{'0' * 64}")
    assert wrong.exit_code == 1 and f"BROKEN at event seq={seq} " in wrong.output
    assert "the head given with --expect" in wrong.output
    beyond = verify(app, "--expect", f"{seq + 5}:{digest}")
    assert beyond.exit_code == 1 and f"recorded seq {seq + 5}" in beyond.output


def test_verify_speaks_the_instance_language(app):
    make_key(app)
    seqs = append_events(app, 3)
    edit_event(app, seqs[0])
    result = verify(app, lang="zh")
    assert result.exit_code == 1
    named = f"审计链在事件 seq={seqs[0]}（id={event_id(app, seqs[0])}）处断裂：其内容与哈希不符"
    assert named in result.output


def test_a_server_without_the_key_refuses_to_append_rather_than_break_the_chain(app, instance_dir):
    make_key(app)
    key_file = instance_dir / "audit.key"
    kept = key_file.read_bytes()
    key_file.unlink()
    with app.app_context():
        audit_anchor().keyring.reload()
    with pytest.raises(Exception, match=r"audit\.key is missing"):
        append_events(app, 1)
    key_file.write_text(json.dumps({"key": os.urandom(32).hex(), "keyed_from": 1,
                                    "created_at": T0.isoformat()}))
    with pytest.raises(Exception, match="is not the key this audit trail is keyed with"):
        append_events(app, 1)
    lines_before = checkpoint_file(app).read_bytes()
    refused = checkpoint(app)  # nor a checkpoint line keyed with the wrong key
    assert refused.exit_code == 1 and "is not the key this audit trail is keyed with" in refused.output
    assert checkpoint_file(app).read_bytes() == lines_before
    key_file.write_bytes(kept)
    append_events(app, 1)
    assert verify(app).exit_code == 0


def test_a_destruction_or_transfer_enqueues_a_checkpoint_the_other_topics_worker_appends(app, clock):
    """enqueue_checkpoint inside the caller's transaction: nothing if it rolls back; after
    commit the worker ``serve`` starts for every topic but indexing and rendering appends the
    head, which covers the caller's own events."""
    make_key(app)
    with app.app_context():
        db = services().db
        with pytest.raises(RuntimeError), db.transaction() as session:
            trail.append(session, at=clock.now(), actor=None, actor_name="tester", action="x.rolled")
            enqueue_checkpoint(session, at=clock.now(), reason="destruction DL-2026-0001")
            raise RuntimeError("the destruction failed")
        clock.advance(microseconds=1)
        with db.transaction() as session:
            seq = trail.append(session, at=clock.now(), actor=None, actor_name="tester",
                               action="disposal.execute", object_id="DL-2026-0002")
            enqueue_checkpoint(session, at=clock.now(), reason="destruction  DL-2026-0002\n")
        worker = app_worker(skip_topics={"search.index", "pdf.archival"}, with_jobs=False)
        assert worker.takes(TOPIC)
        report = worker.run_once()
    assert (report.done, report.failed) == (1, 0)
    lines = [json.loads(raw) for raw in checkpoint_file(app).read_text().splitlines()]
    assert [line["reason"] for line in lines] == ["key created", "destruction DL-2026-0002"]
    assert lines[-1]["seq"] == seq and lines[-1]["at"] == "2026-12-05T04:30:15.123457+00:00"
    assert verify(app).exit_code == 0


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40, deadline=None)
@given(reason=st.text(max_size=300))
def test_any_reason_is_written_on_one_line_and_reads_back(app, reason):
    if not audit_anchor_path(app).exists():
        make_key(app)
    result = checkpoint(app, "--reason", reason)
    assert result.exit_code == 0, result.output
    last = json.loads(checkpoint_file(app).read_text().splitlines()[-1])
    assert last["reason"] == (" ".join(reason.split())[:200] or "checkpoint")
    assert verify(app).exit_code == 0


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(text=st.one_of(st.text(max_size=80), st.builds(lambda n, h: f"{n}:{h}", st.integers(-5, 10**6),
                                                      st.text("0123456789abcdefABCDEF", max_size=70))))
def test_any_expect_text_is_a_head_or_a_refusal_naming_it(app, text):
    result = verify(app, "--expect", text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        assert "Invalid value for --expect" in result.output and "is not SEQ:HASH" in result.output
    else:
        assert result.exit_code in (0, 1)


def test_on_the_system_clock(app, instance_dir):
    on_time = make_app(f"sqlite:///{instance_dir / 'dossier.sqlite3'}", SystemClock())
    try:
        make_key(on_time)
        seqs = append_events(on_time, 4)
        assert checkpoint(on_time).exit_code == 0 and verify(on_time).exit_code == 0
        written = json.loads(checkpoint_file(on_time).read_text().splitlines()[-1])
        assert abs(datetime.fromisoformat(written["at"]) - datetime.now(UTC)).total_seconds() < 60
        cut_tail(on_time, keep=seqs[1])
        result = verify(on_time)
        assert result.exit_code == 1 and f"BROKEN at event seq={seqs[1]} " in result.output
    finally:
        with on_time.app_context():
            services().db.dispose()


def test_archive_verify_and_its_daily_job_check_the_checkpoints_too(app):
    make_key(app)
    seqs = append_events(app, 4)
    assert checkpoint(app).exit_code == 0
    assert app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"]).exit_code == 0
    cut_tail(app, keep=seqs[0])
    result = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert result.exit_code == 1
    assert f"event seq={seqs[0]} (id={event_id(app, seqs[0])})" in result.output
    assert f"the chain ends here but the checkpoint line 2 recorded seq {seqs[-1]}" in result.output


def test_a_folder_without_checkpoints_warns_and_an_emptied_file_fails(app):
    """A second app server of a shared database keeps no checkpoints file: verify says what it
    cannot find from there; an emptied file (the key made one line) is a problem."""
    make_key(app)
    path = checkpoint_file(app)
    path.unlink()
    result = verify(app)
    assert result.exit_code == 0 and "Warning: no checkpoints file here" in result.output
    path.write_text("")
    assert verify(app).exit_code == 1


def test_the_key_made_while_others_append_and_twice_at_once_keeps_one_valid_chain(app):
    """No event slips between the head read for keyed_from and the key taking effect."""
    assert sorted(key_made_while_appending(app)) == [False, True]
    assert len(concurrent_events_before_the_key(app)) >= 4  # made while the appends went on
    result = verify(app)
    assert result.exit_code == 0, result.output


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(junk=st.one_of(
    st.text(max_size=200).filter(lambda t: "\n" not in t and "\r" not in t),
    st.dictionaries(st.sampled_from(["seq", "hash", "at", "reason", "keyed", "prev", "mac"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=70)),
                    max_size=7).map(json.dumps)))
def test_any_line_added_to_the_checkpoints_file_is_named_never_a_traceback(app, junk):
    if not audit_anchor_path(app).exists():
        make_key(app)
    path = checkpoint_file(app)
    kept = path.read_bytes()
    with path.open("a", encoding="utf-8") as out:
        out.write(junk + "\n")
    try:
        result = verify(app)
    finally:
        path.write_bytes(kept)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and "Checkpoints file" in result.output and ", line 2: " in result.output


@given(raw=st.one_of(st.binary(max_size=120), st.text(max_size=120).map(str.encode),
                     st.fixed_dictionaries({"key": st.text(max_size=80), "keyed_from": st.integers(-2, 5),
                                            "created_at": st.text(max_size=5)}).map(
                         lambda d: json.dumps(d).encode())))
def test_a_key_file_that_is_not_a_key_is_refused_naming_the_file(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("key") / "audit.key"
    path.write_bytes(raw)
    try:
        key = read_key(path)
    except AuditKeyError as exc:
        # names the file and what is wrong, never the content
        assert re.fullmatch(re.escape(str(path)) + r": not an audit key file \((\w+|a 32-byte key, "
                            r"keyed_from 1 or more)\)", str(exc)), str(exc)
    else:
        assert key is not None and len(key.secret) >= 32 and key.keyed_from >= 1


def test_pages_and_the_api_of_a_server_without_the_key_say_nothing_was_done(app, client, instance_dir):
    make_key(app)
    (instance_dir / "audit.key").unlink()
    with app.app_context():
        audit_anchor().keyring.reload()
    page = client.get("/login")
    signed = client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "clerk",
                                          "password": PASSWORD}, headers={"Accept-Language": "zh"})
    assert signed.status_code == 503 and "审计" in signed.text and "Traceback" not in signed.text
    api = client.get("/api/v1/records/nope", headers={"Authorization": "Bearer bogus",
                                                      "Accept-Language": "en"})
    assert api.status_code == 503 and "nothing was done" in api.json["error"], api.json


@pytest.mark.parametrize("minutes", [-1, 1.5, "60", True])
def test_a_checkpoint_interval_that_is_not_whole_minutes_is_refused_naming_it(instance_dir, minutes):
    with pytest.raises(ConfigError, match=r"AUDIT_CHECKPOINT_MINUTES: must be a whole number of minutes"):
        make_app(f"sqlite:///{instance_dir / 'x.sqlite3'}", FrozenClock(T0), AUDIT_CHECKPOINT_MINUTES=minutes)


def test_the_checkpoint_interval_sets_the_job_and_zero_turns_it_off(template_db, instance_dir):
    for minutes, listed in ((15, "every 900 s"), (0, "off")):
        shutil.copy(template_db, instance_dir / "dossier.sqlite3")
        app = make_app(f"sqlite:///{instance_dir / 'dossier.sqlite3'}", FrozenClock(T0),
                       AUDIT_CHECKPOINT_MINUTES=minutes)
        try:
            output = app.test_cli_runner().invoke(args=["jobs"]).output
            assert next(line for line in output.splitlines() if line.startswith("audit_checkpoint")) \
                .split(None, 1)[1].startswith(listed)
        finally:
            with app.app_context():
                services().db.dispose()


def test_before_the_key_verify_warns_and_plain_checkpoints_are_chained_into_the_keyed_ones(app):
    append_events(app, 2)
    assert checkpoint(app).exit_code == 0  # a worker's checkpoint before flask init made the key
    plain = verify(app)
    assert plain.exit_code == 0 and "Warning: this instance has no audit key" in plain.output
    make_key(app)
    append_events(app, 2)
    assert verify(app).exit_code == 0
    path = checkpoint_file(app)
    lines = [json.loads(raw) for raw in path.read_text().splitlines()]
    assert [line["keyed"] for line in lines] == [False, True]
    forged = {**lines[0], "hash": "e" * 64}
    body = {k: v for k, v in forged.items() if k != "mac"}
    forged["mac"] = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                              separators=(",", ":")).encode()).hexdigest()
    path.write_text("\n".join(json.dumps(x) for x in (forged, lines[1])) + "\n")
    result = verify(app)  # the plain line recomputed: the keyed line after it no longer follows
    assert result.exit_code == 1 and "line 2: it does not follow the line before it" in result.output
