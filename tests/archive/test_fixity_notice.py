"""A fixity check that finds a problem tells the admins (once a day while it fails); a clean
check tells nobody. The check is the worker's daily ``fixity_verify`` job."""

from __future__ import annotations

from flask import Flask

from core.clock import FrozenClock
from tests.support.attachments import stored_files
from tests.support.notifications import notes_of, work
from tests.support.upload_samples import photo_jpeg

EVERYONE = ("admin", "archivist", "auditor", "supervisor", "clerk", "sales", "sales_boss")


def _told(app: Flask) -> dict[str, list[tuple[str, str | None]]]:
    return {name: [(n.event, n.record_code) for n in notes_of(app, name)] for name in EVERYONE
            if notes_of(app, name)}


def test_a_failed_fixity_check_is_told_to_admins_once_a_day(app: Flask, clock: FrozenClock) -> None:
    work(app)
    assert _told(app) == {}  # clean: nobody told
    stored_files(app, photo_jpeg())  # bytes no row names: the check reports an extra file
    clock.advance(days=1)
    work(app)
    day = clock.now().date().isoformat()
    assert _told(app) == {"admin": [("fixity.failing", day)]}
    clock.advance(hours=1)
    work(app)  # the job is daily: nothing more the same day
    clock.advance(days=1)
    work(app)
    assert [code for _, code in _told(app)["admin"]] == [day, clock.now().date().isoformat()]
