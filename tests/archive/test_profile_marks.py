"""A person's own signature or stamp (archive.marks, /profile): uploaded on the profile page,
checked by content, stored by SHA-256, audited, printed beside their name where they
countersigned, known to archive verify, and removed again."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile

from flask import Flask
from PIL import Image, ImageDraw
from sqlalchemy import select

from archive.stores import file_store
from core.audit.models import AuditEvent
from core.auth.models import User, UserMark
from core.web import services
from tests.support.instance import csrf_token
from tests.support.pdf import text_of
from tests.support.profile_marks import EN, STAMP_SIZE, stamp_png, upload
from tests.support.samples import register_rs


def events(app: Flask, action: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    """(object id, detail) of each audit event of ``action``."""
    with app.app_context(), services().db.reading() as session:
        return [(row.object_id, row.detail) for row in session.execute(
            select(AuditEvent.object_id, AuditEvent.detail).where(AuditEvent.action == action))]


def mark_row(app: Flask, username: str) -> dict[str, str] | None:
    with app.app_context(), services().db.reading() as session:
        row = session.execute(select(UserMark.kind, UserMark.media_type, UserMark.key, UserMark.sha256)
                              .join(User, User.id == UserMark.user_id)
                              .where(User.username == username)).first()
        return None if row is None else dict(row._mapping)


def images_on(pdf: bytes) -> list[tuple[int, int]]:
    """The size of every raster image drawn, page by page, as poppler's pdfimages lists them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        copy.write(pdf)
        copy.flush()
        listed = subprocess.run(["pdfimages", "-list", copy.name], capture_output=True, text=True,
                                check=True).stdout.splitlines()[2:]
    return [(int(line.split()[3]), int(line.split()[4])) for line in listed if line.split()[2] == "image"]


def test_the_header_links_the_name_to_the_profile_page(logged_in):  # type: ignore[no-untyped-def]
    page = logged_in("supervisor").get("/profile", headers=EN)
    assert page.status_code == 200
    assert re.search(r'<a class="who" href="/profile"[^>]*>', page.text)
    assert "Your signature or stamp" in page.text and "copies print your name alone" in page.text


def test_a_stamp_is_checked_stored_audited_and_shown(app, logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("supervisor")
    response = upload(client, "印章.png", stamp_png())
    assert response.status_code == 302, response.text[:3000]
    row = mark_row(app, "supervisor")
    assert row is not None and (row["kind"], row["media_type"]) == ("stamp", "image/png")
    with app.app_context():
        assert file_store().get(row["key"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert events(app, "user.mark.set") == [("supervisor", {"kind": "stamp", "sha256": row["sha256"],
                                                             "before": None})]
    page = client.get("/profile", headers=EN).text
    assert 'src="data:image/png;base64,' in page and "Remove the image" in page


def test_what_is_not_an_image_is_refused_naming_the_file(app, logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("supervisor")
    response = upload(client, "stamp.png", b"%PDF-1.4 not a picture")
    assert response.status_code == 422
    assert "stamp.png" in response.text and "JPEG, PNG, WebP or HEIC" in response.text
    assert 'href="#mark-image"' in response.text  # the summary links to the file input
    too_big = upload(client, "big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (950 * 1024))
    assert too_big.status_code == 422 and "big.png" in too_big.text and "900 KB" in too_big.text
    over_the_body = upload(client, "huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024))
    assert over_the_body.status_code == 413 and "larger than 1 MB" in over_the_body.text
    nothing = upload(client, "", b"")
    assert nothing.status_code == 422 and "Choose an image file" in nothing.text
    assert mark_row(app, "supervisor") is None and not events(app, "user.mark.set")


def test_the_countersigners_stamp_prints_beside_the_countersignature(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    assert upload(logged_in("supervisor"), "stamp.png", stamp_png()).status_code == 302
    code = register_rs(client, token_for("clerk"))
    before = logged_in("clerk").get(f"/records/{code}.pdf?variant=customer").data
    assert images_on(before) == []  # not countersigned yet; the clerk has no mark
    countersigned = client.post(f"/api/v1/records/{code}/actions/countersign",
                                headers=token_for("supervisor"), json={})
    assert countersigned.status_code == 200, countersigned.json
    after = logged_in("clerk").get(f"/records/{code}.pdf?variant=customer").data
    assert images_on(after) == [STAMP_SIZE]
    countersign_line = next(line for line in text_of(after).splitlines() if "直接上级主管阅签" in line)
    assert "阅签日期" in countersign_line  # the stamp sits in the countersignature's box


def test_a_stamp_set_after_the_countersignature_is_not_printed_beside_it(app, client, token_for, logged_in,  # type: ignore[no-untyped-def]
                                                                       clock):
    """A stamp beside a countersignature says the supervisor stamped it: one uploaded (or
    replaced) later must not appear on reprints of what was signed before (seen on a walk: a
    filed complaint's handout grew a stamp three minutes after filing)."""
    earlier = register_rs(client, token_for("clerk"))
    assert client.post(f"/api/v1/records/{earlier}/actions/countersign", headers=token_for("supervisor"),
                       json={}).status_code == 200
    clock.advance(minutes=3)
    assert upload(logged_in("supervisor"), "stamp.png", stamp_png()).status_code == 302
    later = register_rs(client, token_for("clerk"))
    clock.advance(seconds=1, microseconds=1)
    assert client.post(f"/api/v1/records/{later}/actions/countersign", headers=token_for("supervisor"),
                       json={}).status_code == 200
    reader = logged_in("clerk")
    assert images_on(reader.get(f"/records/{earlier}.pdf?variant=customer").data) == []
    assert images_on(reader.get(f"/records/{later}.pdf?variant=customer").data) == [STAMP_SIZE]


def test_archive_verify_knows_the_marks_and_removing_one_deletes_its_file(app, logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("supervisor")
    assert upload(client, "stamp.png", stamp_png()).status_code == 302
    key, sha256 = mark_row(app, "supervisor")["key"], mark_row(app, "supervisor")["sha256"]
    result = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = client.get("/profile", headers=EN)
    removed = client.post("/profile", headers=EN, data={"remove-csrf_token": csrf_token(page.text),
                                                          "remove-remove": "y"})
    assert removed.status_code == 302
    assert mark_row(app, "supervisor") is None
    with app.app_context():
        assert not file_store().exists(key)
    assert events(app, "user.mark.removed") == [("supervisor", {"sha256": sha256})]


def test_the_fillers_signature_prints_beside_their_name_on_every_part(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    signature = Image.new("RGB", (240, 80), "white")
    ImageDraw.Draw(signature).line((10, 60, 120, 20, 230, 50), fill="black", width=6)
    out = io.BytesIO()
    signature.save(out, "JPEG")
    assert upload(logged_in("clerk"), "签名.jpg", out.getvalue(), kind="signature").status_code == 302
    code = register_rs(client, token_for("clerk"))
    both_parts = logged_in("supervisor").get(f"/records/{code}.pdf").data
    assert images_on(both_parts) == [(240, 80), (240, 80)]  # business and customer part
