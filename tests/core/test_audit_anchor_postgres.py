"""The anchored audit trail on PostgreSQL (issue 20): the database's owner drops the append-only
trigger and rewrites rows; ``audit verify`` still names the first event that disagrees, and an
older copy of the database put in its place is found against the checkpoints written since."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from core.web import services
from tests.support.audit_tampering import (
    append_events,
    checkpoint,
    concurrent_events_before_the_key,
    cut_tail,
    delete_and_rechain,
    edit_event,
    event_id,
    guessed_key,
    key_made_while_appending,
    make_key,
    verify,
)
from tests.support.instance import make_app

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 12, 5, 4, 30, 15, 654321, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def test_an_edited_event_is_named(pg_app):
    make_key(pg_app)
    seqs = append_events(pg_app, 4)
    assert verify(pg_app).exit_code == 0
    edit_event(pg_app, seqs[2])
    result = verify(pg_app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={seqs[2]} (id={event_id(pg_app, seqs[2])}): its content does not " \
           "match its hash" in result.output


@pytest.mark.parametrize("recomputed_with", ["plain SHA-256", "a guessed key"])
def test_a_deleted_event_with_the_chain_recomputed_without_the_key_is_named(pg_app, recomputed_with):
    key = make_key(pg_app)
    seqs = append_events(pg_app, 5)
    delete_and_rechain(pg_app, seqs[1], key=guessed_key(key) if recomputed_with == "a guessed key" else None)
    result = verify(pg_app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={seqs[1]} (id={event_id(pg_app, seqs[1])}): " in result.output
    expected = "its link is a plain hash where the key was due" if recomputed_with == "plain SHA-256" \
        else "its content does not match its hash"
    assert expected in result.output


def test_a_cut_tail_with_the_head_moved_back_is_found_against_the_checkpoints(pg_app):
    make_key(pg_app)
    seqs = append_events(pg_app, 5)
    assert checkpoint(pg_app).exit_code == 0
    cut_tail(pg_app, keep=seqs[1])
    result = verify(pg_app)
    assert result.exit_code == 1
    assert f"BROKEN at event seq={seqs[1]} (id={event_id(pg_app, seqs[1])}): the chain ends here, " \
           f"but the checkpoint of 2026-12-05 12:30:15 (line 2 of the checkpoints file) recorded " \
           f"seq {seqs[-1]}" in result.output


def test_an_older_copy_of_the_database_put_in_its_place_is_found(pg_app, pg_server, clock):
    """The database is copied (as a dump would be), the office carries on and checkpoints; then
    the instance is pointed at the old copy: verify finds the chain short of the checkpoint."""
    make_key(pg_app)
    append_events(pg_app, 2)
    with pg_app.app_context():
        url = services().db.url
        services().db.dispose()
    old_copy = pg_server.create_database(template=url.rsplit("/", 1)[1])
    clock.advance(seconds=61)
    later = append_events(pg_app, 3)
    assert checkpoint(pg_app, "--reason", "annual transfer 2026").exit_code == 0
    restored = make_app(old_copy, clock)  # same instance folder: its key and checkpoints
    try:
        result = verify(restored)
        assert result.exit_code == 1
        assert "the chain ends here, but the checkpoint of 2026-12-05 12:31:16 (line 2 of the " \
               f"checkpoints file) recorded seq {later[-1]}" in result.output
        append_events(restored, 4, "other.event")
        result = verify(restored)
        assert result.exit_code == 1
        assert f"BROKEN at event seq={later[-1]} (id={event_id(restored, later[-1])}): it is not the " \
               "event the checkpoint of 2026-12-05 12:31:16" in result.output
    finally:
        with restored.app_context():
            services().db.dispose()


def test_the_key_made_while_others_append_and_twice_at_once_keeps_one_valid_chain(pg_app):
    assert sorted(key_made_while_appending(pg_app)) == [False, True]
    assert len(concurrent_events_before_the_key(pg_app)) >= 4  # made while the appends went on
    result = verify(pg_app)
    assert result.exit_code == 0, result.output
