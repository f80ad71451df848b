"""Files on records on a real PostgreSQL server (issue 19): a photo submitted on the page, its
row beside the record, a correction that removes it, archive verify clean, and the record
destroyed with its rows (the attachments' foreign key is enforced here)."""

from __future__ import annotations

import base64
import io

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal
from archive.attachment_models import Attachment
from archive.models import Tombstone
from core.auth import accounts
from core.web import services
from forms.registers import disposal_hooks
from tests.support.destruction import witness
from tests.support.instance import actor_of, csrf_token, login
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, work_outbox
from tests.support.upload_samples import photo_jpeg, png_with_text

pytestmark = pytest.mark.postgres


def _rows(app: Flask) -> list[tuple]:
    with app.app_context(), services().db.reading() as session:
        return [tuple(row) for row in session.execute(select(
            Attachment.name, Attachment.revision, Attachment.removed_revision).order_by(Attachment.id))]


def test_a_photo_lives_and_dies_with_its_record_on_postgresql(pg_app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    client = pg_app.test_client()
    login(client, "clerk")
    page = client.get("/forms/CP/new")
    made = client.post("/forms/CP/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "上海恒丰", "phone": "13800138000",
        "complaint": "划痕", "defect_photos": [(io.BytesIO(photo_jpeg()[1]), "IMG_0001.JPG")]})
    assert made.status_code == 302, made.text[:2000]
    code = made.headers["Location"].rsplit("/", 1)[-1]
    with pg_app.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "pg")
    headers = {"Authorization": f"Bearer {token}"}
    [photo] = client.get(f"/api/v1/records/{code}", headers=headers).json["data"]["defect_photos"]
    second = {"name": "second.png", "content_base64": base64.b64encode(png_with_text()[1]).decode()}
    corrected = client.post(f"/api/v1/records/{code}/actions/correct", headers=headers,
                            json={"fields": {"defect_photos": [second]}, "reason": "换一张"})
    assert corrected.status_code == 200, corrected.json
    assert _rows(pg_app) == [("IMG_0001.jpg", 1, 2), ("second.png", 2, None)]
    assert client.get(f"/records/{code}/files/{photo['sha256']}").status_code == 200
    close_complaint(pg_app, code)
    work_outbox(pg_app)
    verified = pg_app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0, verified.output
    clock.advance(days=DAYS_TO_2030)
    with pg_app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(pg_app, "archivist"), [code], "到期")
        disposal.decide(s.db, s.clock, actor_of(pg_app, "admin"), listed.id, approve=True)
        witness(pg_app, listed.id)
        disposal.execute(s.db, s.clock, s.zone, actor_of(pg_app, "archivist"), listed.id,
                         disposal_hooks(s.db, s.clock, s.zone))
        with s.db.reading() as session:
            tomb = session.scalar(select(Tombstone).where(Tombstone.code == code))
            assert tomb is not None and tomb.attachments == 2
    assert _rows(pg_app) == []
    work_outbox(pg_app)
    assert pg_app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"]).exit_code == 0
