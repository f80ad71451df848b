"""The rules of replacing a filed copy by its stamped rendering (archive/filing_stamp.py), with the
real worker, store and renderer: a rendering that moves the pages is refused and leaves nothing
behind, a copy is stamped once, a record without a 档号 is nothing to stamp, records given their
档号 after filing (backfill) or at import are stamped, the longest 档号 fits its cells, fixity
still agrees, and the same on PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from archive.archival_codes import ArchivalReference
from archive.filing_stamp import (
    STAMP_TOPIC,
    StampDue,
    StampMovedPages,
    enqueue_stamping,
    replace_with_stamped,
    stamp_due,
)
from archive.models import ArchivalCounter, Record
from archive.records import record_at_revision
from archive.stores import file_store
from core.clock import SystemClock
from core.outbox.models import OutboxItem
from core.outbox.queue import enqueue
from core.web import services
from forms import versions
from forms.names import load_names
from forms.pdf.archival import render_archival
from forms.pdf.service import configured_renderer
from tests.support.file_stores import rendition_keys
from tests.support.filing_stamp import (
    events,
    expected_cells,
    filed,
    row_of,
    stamp_box,
    stamp_words,
    stored_pdf,
    work_outbox_without_stamping,
)
from tests.support.instance import make_app
from tests.support.legacy_sheets import VR_HEADERS, run_import, vr_row, write_xlsx
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.pdf import MM
from tests.support.pdf_words import pages_of


def filed_unstamped(app: Flask) -> str:
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox_without_stamping(app)
    return code


def test_a_rendering_with_other_pages_is_refused_and_leaves_the_unstamped_copy(app: Flask) -> None:
    code = filed_unstamped(app)
    record, unstamped = row_of(app, code)
    with app.app_context():
        s, store = services(), file_store()
        with s.db.reading() as session:
            due = stamp_due(session, code, unstamped.revision)
        assert due is not None and due.archival_code == record.archival_code and due.pages == unstamped.pages
        keys = set(store.keys())
        with pytest.raises(StampMovedPages, match="must not move content"):
            replace_with_stamped(s.db, s.clock, store, code=code, revision=unstamped.revision, due=due,
                                 pdf=b"%PDF-1.7 three pages", pages=(due.pages or 0) + 1)
        assert set(store.keys()) == keys  # nothing stored
    _, after = row_of(app, code)
    assert (after.sha256, after.archival_code) == (unstamped.sha256, None)


def test_a_copy_is_stamped_once_and_a_late_rendering_leaves_no_file(app: Flask) -> None:
    code = filed(app)
    record, stamped = row_of(app, code)
    with app.app_context():
        s, store = services(), file_store()
        with s.db.transaction() as session:  # the stamping queued again (a retried filing, by hand)
            enqueue_stamping(session, session.get(Record, record.id), s.clock.now())
        with s.db.reading() as session:
            assert stamp_due(session, code, stamped.revision) is None  # stamped already
        due = StampDue(record.archival_code or "", stamped.pages)  # as read before another worker stamped it
        made = replace_with_stamped(s.db, s.clock, store, code=code, revision=stamped.revision,
                                    due=due, pdf=b"%PDF-1.7 another rendering", pages=stamped.pages)
        assert made is None
    assert "0 failed" in work_outbox(app)  # the queued stamping (nothing to do) and the purge
    _, after = row_of(app, code)
    assert after.sha256 == stamped.sha256 and len(events(app, code, "rendition.stamp")) == 1
    with app.app_context():
        assert sorted(file_store().keys()) == sorted(rendition_keys(app, code))  # the late file was purged
    verified = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0, verified.output


def test_a_record_without_a_reference_is_nothing_to_stamp(app: Flask) -> None:
    code = new_complaint(app)
    work_outbox(app)
    _, rendition = row_of(app, code, 1)
    with app.app_context(), services().db.transaction() as session:
        enqueue(session, topic=STAMP_TOPIC, subject=code, at=services().clock.now(), payload={"revision": 1})
    assert "1 done, 0 failed" in work_outbox(app)
    _, after = row_of(app, code, 1)
    assert after.sha256 == rendition.sha256 and after.archival_code is None


def test_records_given_their_reference_after_filing_are_stamped(app: Flask) -> None:
    """Filed before 档号 were minted (no code, no stamp): ``archive file`` gives the code and
    queues the stamping of the filed revision's copy."""
    code = filed_unstamped(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(delete(OutboxItem).where(OutboxItem.topic == STAMP_TOPIC))
        session.execute(update(Record).values(archival_code=None))
        session.execute(delete(ArchivalCounter))
    result = app.test_cli_runner().invoke(args=["archive", "file"])
    assert result.exit_code == 0, result.output
    work_outbox(app)
    record, stamped = row_of(app, code)
    assert record.archival_code and stamped.archival_code == record.archival_code
    assert [e["archival_code"] for e in events(app, code, "rendition.stamp")] == [record.archival_code]


def test_a_legacy_record_imported_filed_is_stamped_from_the_start(app: Flask, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 12, 5, 2, 0, 0, 123456, tzinfo=UTC)
    book = write_xlsx(tmp_path / "visits.xlsx",
                      {"VR": [VR_HEADERS, vr_row("VR-2015-000009", datetime(2015, 4, 2))]})
    status, output = run_import(app, book, "--commit")
    assert status == 0, output
    work_outbox(app)
    record, rendition = row_of(app, "VR-2015-000009")
    assert record.archival_code and rendition.archival_code == record.archival_code
    assert rendition.replaced_sha256 is None and events(app, "VR-2015-000009", "rendition.stamp") == []
    pdf = stored_pdf(app, rendition)
    box = stamp_box(pdf)
    assert box is not None
    reference = ArchivalReference.parse(record.archival_code)
    assert {w.text for w in stamp_words(pages_of(pdf)[0], box)} == expected_cells(reference, rendition.pages)


@pytest.mark.parametrize("reference", [
    ArchivalReference("ABCDEFGH", "WXYZ", 2026, "D999", "ABCDEFGH", 123456),  # every level its longest
    ArchivalReference("Q", "W", 2026, "Y", "Z", 1),
])
def test_the_longest_and_shortest_references_fit_their_cells(app: Flask,
                                                             reference: ArchivalReference) -> None:
    code = new_complaint(app, complaint="长" * 40)
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            view = record_at_revision(session, code, 1)
        assert view is not None
        made = render_archival(configured_renderer(app.config, Path(app.instance_path)),
                               versions.spec_version(s.db, "CP", view.form_version), view,
                               company=app.config["COMPANY_NAME"], zone=s.zone,
                               public_url=app.config["PUBLIC_URL"], names=load_names(s.db), stamp=reference)
    box = stamp_box(made.pdf)
    assert box is not None
    assert abs((box[2] - box[0]) - 45 * MM) < MM and abs((box[3] - box[1]) - 16 * MM) < MM  # no cell grew
    words = stamp_words(pages_of(made.pdf)[0], box)
    assert {w.text for w in words} == expected_cells(reference, made.pages)  # one word each: none wrapped


@pytest.mark.postgres
def test_filing_and_stamping_on_postgresql(pg_app: Flask) -> None:
    code = new_complaint(pg_app)
    close_complaint(pg_app, code)
    work_outbox(pg_app)
    record, stamped = row_of(pg_app, code)
    assert record.archival_code and stamped.archival_code == record.archival_code
    assert stamped.replaced_sha256 is not None
    with pg_app.app_context():
        assert sorted(file_store().keys()) == sorted(rendition_keys(pg_app, code))  # unstamped one purged
        with services().db.reading() as session:
            pending = session.scalars(select(OutboxItem.topic).where(OutboxItem.done_at.is_(None))).all()
    assert pending == []
    box = stamp_box(stored_pdf(pg_app, stamped))
    assert box is not None and box[3] <= 22 * MM


def test_filing_and_stamping_on_the_system_clock(template_db: Path, instance_dir: Path) -> None:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", SystemClock())
    try:
        code = filed(app)
        record, stamped = row_of(app, code)
        assert record.archival_code and stamped.archival_code == record.archival_code
        assert stamped.created_at >= record.filed_at  # stored after filing, by the system clock
        reference = ArchivalReference.parse(record.archival_code)
        pdf = stored_pdf(app, stamped)
        box = stamp_box(pdf)
        assert box is not None
        words = {w.text for w in stamp_words(pages_of(pdf)[0], box)}
        assert words == expected_cells(reference, stamped.pages)
    finally:
        with app.app_context():
            services().db.dispose()


def test_archive_file_queues_the_stamp_of_a_filed_copy_left_without_one(app: Flask) -> None:
    """As after importing an export made while a stamping was pending (no outbox travels)."""
    code = filed_unstamped(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(delete(OutboxItem).where(OutboxItem.topic == STAMP_TOPIC))
    record, unstamped = row_of(app, code)
    first = app.test_cli_runner().invoke(args=["archive", "file"])
    assert first.exit_code == 0, first.output
    assert "归档章 queued for 1 filed archival copy(ies) without one" in first.output
    assert f"{code} r{unstamped.revision}" in first.output
    again = app.test_cli_runner().invoke(args=["archive", "file"])
    assert "归档章 queued" not in again.output  # its stamping is pending: not queued twice
    work_outbox(app)
    _, stamped = row_of(app, code)
    assert stamped.archival_code == record.archival_code and stamped.replaced_sha256 == unstamped.sha256
    assert "归档章 queued" not in app.test_cli_runner().invoke(args=["archive", "file"]).output
