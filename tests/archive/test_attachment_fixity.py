"""Attachments in the archive's checks and destruction (issue 19): ``archive verify`` reads every
attachment and its thumbnail back, naming a missing or altered one with the record, field and
file, and an object no row names (a refused submission's) as extra; destroying a record deletes
its files unless another record holds the same bytes (the store is by content)."""

from __future__ import annotations

import base64
import os

from flask import Flask
from sqlalchemy import select

from archive import disposal
from archive.attachment_models import Attachment
from archive.fixity import verify_archive
from archive.models import Tombstone
from archive.stores import file_store
from core.clock import FrozenClock
from core.web import services
from forms.registers import disposal_hooks
from tests.support.attachments import stored_files
from tests.support.destruction import witness
from tests.support.file_stores import stored_path
from tests.support.instance import actor_of
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, submit_cp, work_outbox
from tests.support.upload_samples import photo_jpeg, png_with_text


def _verify(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        s = services()
        return verify_archive(s.db, s.clock, file_store())


def _rows(app: Flask) -> list:
    table = Attachment.__table__
    with app.app_context(), services().db.reading() as session:
        return list(session.execute(select(table).order_by(table.c.id)))


def _filed_with(app: Flask, *files: tuple[str, bytes]) -> str:
    code = submit_cp(app, defect_photos=stored_files(app, *files))
    close_complaint(app, code)
    work_outbox(app)
    return code


def _overwrite(path, data: bytes) -> None:  # type: ignore[no-untyped-def]
    os.chmod(path, 0o644)  # stored read-only: tampering is deliberate
    path.write_bytes(data)


def test_verify_reads_every_attachment_and_names_a_missing_or_altered_one(app: Flask) -> None:
    code = _filed_with(app, photo_jpeg(), ("scratch.png", png_with_text()[1]))
    report = _verify(app)
    assert report.clean, report.problems
    photo, scratch = _rows(app)
    _overwrite(stored_path(app, photo.key), b"not the photo")
    stored_path(app, scratch.key).unlink()
    stored_path(app, scratch.thumbnail_key).unlink()
    problems = {(p.kind, p.subject): p.detail for p in _verify(app).problems}
    assert f"{code}, field defect_photos, file “IMG_0001.jpg”" in problems[("checksum", photo.key)]
    assert f"{code}, field defect_photos, file “scratch.png”" in problems[("missing", scratch.key)]
    assert "thumbnail" in problems[("missing", scratch.thumbnail_key)]
    assert len(problems) == 3


def test_an_object_no_row_names_is_reported_as_extra(app: Flask) -> None:
    [orphan] = stored_files(app, photo_jpeg())  # stored for a submission that never committed
    problems = _verify(app).problems
    assert [(p.kind, p.subject.rsplit("/", 1)[-1]) for p in problems] == [("extra", orphan["sha256"])]


def test_destroying_a_record_deletes_its_files_but_not_bytes_another_record_holds(
        app: Flask, clock: FrozenClock) -> None:
    shared, own = photo_jpeg(), ("own.png", png_with_text()[1])
    destroyed = _filed_with(app, shared, own)
    submit_cp(app, defect_photos=stored_files(app, shared))  # the same photo on a running complaint
    own_row = next(row for row in _rows(app) if row.name == "own.png")
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [destroyed], "到期")
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, disposal_hooks(s.db, s.clock, s.zone))
    work_outbox(app)  # the purge
    with app.app_context(), services().db.reading() as session:
        tomb = session.scalar(select(Tombstone).where(Tombstone.code == destroyed))
        assert tomb.attachments == 2  # how many files it held: nothing else of them
    [kept] = _rows(app)
    assert kept.name == "IMG_0001.jpg" and kept.revision == 1
    with app.app_context():
        store = file_store()
        assert store.exists(kept.key) and store.exists(kept.thumbnail_key)
        assert not store.exists(own_row.key) and not store.exists(own_row.thumbnail_key)
    assert _verify(app).clean


def test_a_saved_drafts_photo_is_not_reported_as_extra(app: Flask, token_for) -> None:
    """A draft keeps its photo's descriptor until it is submitted (forms.file_intake): its object
    is stored already and named by the draft, so verify is clean; once the draft is discarded
    the object is no one's and is named."""
    client = app.test_client()
    sent = [{"name": "IMG_0001.JPG", "content_base64": base64.b64encode(photo_jpeg()[1]).decode()}]
    draft = client.post("/api/v1/drafts", headers=token_for("clerk"),
                        json={"form": "CP", "data": {"defect_photos": sent}})
    assert draft.status_code == 201, draft.json
    report = _verify(app)
    assert report.clean, report.problems
    assert client.delete(f"/api/v1/drafts/{draft.json['id']}", headers=token_for("clerk")).status_code == 204
    [problem] = _verify(app).problems
    [photo] = draft.json["data"]["defect_photos"]
    assert problem.kind == "extra" and problem.subject.endswith(photo["sha256"])
