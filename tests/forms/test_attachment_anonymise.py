"""Anonymising a record drops the files of its personal file fields (issue 19): RS's scan of the
signed customer copy shows the customer, so once RS's personal-data period (5 years after
filing) is over it is gone from every revision's data, its attachment rows are deleted and its
objects purged after commit, unless another record holds the same bytes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select, update

from archive.attachment_models import Attachment
from archive.models import Record, RecordRevision
from archive.stores import file_store
from core.clock import FrozenClock
from core.web import services
from forms.anonymise import anonymise_record
from forms.submission import submit
from tests.support.attachments import stored_files
from tests.support.instance import actor_of
from tests.support.lifecycle import work_outbox
from tests.support.samples import RS_DATA
from tests.support.upload_samples import clean_pdf, photo_jpeg

FILED = datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)
PAST_FIVE_YEARS = 5 * 365 + 3  # from 2026-03-02 to past 2031-03-02


def _filed_rs(app: Flask, scan: list[dict]) -> str:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS",
                      {**RS_DATA, "signed_copy_scan": scan}).code
        with s.db.transaction() as session:  # filing itself is archive/filing.py's, tested there
            session.execute(update(Record).where(Record.code == code).values(filed_at=FILED))
    return code


def _keys(app: Flask, code: str) -> list[str]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Attachment.key, Attachment.thumbnail_key).join(
            Record, Record.id == Attachment.record_id).where(Record.code == code)).all()
    return sorted(k for row in rows for k in row if k)


def test_anonymising_drops_the_scan_everywhere_and_purges_what_no_one_else_holds(
        app: Flask, clock: FrozenClock) -> None:
    shared, own = stored_files(app, photo_jpeg(), clean_pdf(1))
    code = _filed_rs(app, [shared, own])
    other = _filed_rs(app, [shared])  # filed the same day: anonymised by its own call, not here
    mine, kept = _keys(app, code), _keys(app, other)
    assert len(mine) == 4 and len(kept) == 2  # each original with its thumbnail
    work_outbox(app)
    clock.advance(days=PAST_FIVE_YEARS)
    with app.app_context():
        s = services()
        assert anonymise_record(s.db, s.clock, s.zone, actor_of(app, "archivist"), code)
    with app.app_context(), services().db.reading() as session:
        record_id, data = session.execute(select(Record.id, Record.data).where(Record.code == code)).one()
        datas = session.scalars(select(RecordRevision.data).where(
            RecordRevision.record_id == record_id)).all()
    text = json.dumps([data, *datas])
    assert "signed_copy_scan" not in text and shared["sha256"] not in text and own["sha256"] not in text
    assert _keys(app, code) == [] and _keys(app, other) == kept
    work_outbox(app)  # the purge, and the anonymised copy rendered
    with app.app_context():
        store = file_store()
        assert [key for key in mine if store.exists(key)] == kept
