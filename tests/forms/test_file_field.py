"""The ``file`` field (issue 19): spec keys checked at load, photos submitted through the page
(multipart) and the API (base64), checked by content, stored by SHA-256 before the record's
transaction, one attachments row per file, a refused file named while the accepted ones and
everything typed are kept."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pytest
from sqlalchemy import select

from archive.attachment_models import Attachment
from archive.files import content_key
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.web import services
from forms.spec.parser import SpecError, parse_spec
from forms.submission import submit
from tests.support.attachments import stored_files
from tests.support.hostile_files import program_named_jpg
from tests.support.instance import VALID_CP, actor_of, csrf_token
from tests.support.samples import RS_DATA
from tests.support.upload_samples import clean_pdf, photo_jpeg, png_with_text

CP_PAGE = {"channel": "phone", "received_at": "2026-03-02 09:00", "customer_name": "上海恒丰",
           "phone": "13800138000", "complaint": "外壳划痕"}


def _spec_with(**keys: object) -> dict:
    field = {"name": "photos", "type": "file", "label": {"zh": "照片", "en": "Photos"}, **keys}
    return {"code": "ZZ", "version": 1, "title": {"zh": "测", "en": "T"}, "category": {"zh": "测", "en": "T"},
            "department": "CS", "retention": "complaint-3y", "fields": [field],
            "workflow": {"initial": "open", "states": {"open": {"zh": "开", "en": "Open"}}}}


@pytest.mark.parametrize(("keys", "problem"), [
    ({}, "accept must list the kinds"),
    ({"accept": ["image", "video"]}, "accept must list the kinds"),
    ({"accept": ["pdf"], "max_files": 0}, "max_files must be a whole number from 1 to 20"),
    ({"accept": ["pdf"], "max_files": True}, "max_files must be a whole number from 1 to 20"),
    ({"accept": ["pdf"], "max_mb": 500}, "max_mb must be a number above 0 and at most 50"),
    ({"accept": ["pdf"], "print": "poster"}, "print must be one of: images, list"),
    ({"accept": ["pdf"], "indexed": True}, "a file field cannot be indexed"),
])
def test_a_file_fields_keys_are_checked_when_the_spec_is_read(keys, problem):
    with pytest.raises(SpecError) as refused:
        parse_spec(_spec_with(**keys), "ZZ.toml")
    assert any(problem in line and "field 'photos'" in line for line in refused.value.problems), \
        refused.value.problems


def test_a_well_declared_file_field_is_read_with_its_keys():
    spec = parse_spec(_spec_with(accept=["image", "pdf"], max_files=3, max_mb=2.5, print="images"), "ZZ.toml")
    assert spec.field("photos").options == {"accept": ["image", "pdf"], "max_files": 3, "max_mb": 2.5,
                                            "print": "images"}


def _attachments(app) -> list:
    """Every attachments row, as plain rows (field, revision, media_type, sha256, key, size, …)."""
    table = Attachment.__table__
    with app.app_context(), services().db.reading() as session:
        return list(session.execute(select(table).order_by(table.c.id)))


def _post_cp(client, files: list[tuple[str, bytes]], extra: dict | None = None, kept: list[str] = ()):
    page = client.get("/forms/CP/new")
    data = {"csrf_token": csrf_token(page.text), **CP_PAGE, **(extra or {}), "action": "submit",
            "defect_photos": [*kept, *[(io.BytesIO(body), name) for name, body in files]]}
    return client.post("/forms/CP/new", data=data, content_type="multipart/form-data")


def test_photos_submitted_on_the_page_are_stored_by_content_with_a_row_each(app, logged_in):
    clerk = logged_in("clerk")
    made = _post_cp(clerk, [photo_jpeg(), png_with_text()])
    assert made.status_code == 302, made.text
    code = made.headers["Location"].rsplit("/", 1)[-1]
    rows = _attachments(app)
    assert [(r.field, r.revision, r.media_type) for r in rows] == [
        ("defect_photos", 1, "image/jpeg"), ("defect_photos", 1, "image/png")]
    with app.app_context():
        store = file_store()
        for row in rows:
            data = store.get(row.key)
            assert row.key == content_key(row.sha256) and hashlib.sha256(data).hexdigest() == row.sha256
            assert len(data) == row.size and row.thumbnail_key and store.exists(row.thumbnail_key)
    page = clerk.get(f"/records/{code}")
    for row in rows:
        assert f"/records/{code}/files/{row.sha256}" in page.text
        assert f"/records/{code}/files/{row.sha256}/thumb" in page.text


def test_the_record_data_names_each_file_and_the_original_is_served_audited(app, logged_in, token_for):
    clerk = logged_in("clerk")
    name, body = photo_jpeg()
    code = _post_cp(clerk, [(name, body)]).headers["Location"].rsplit("/", 1)[-1]
    data = app.test_client().get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["data"]
    [photo] = data["defect_photos"]
    assert set(photo) == {"sha256", "name", "type", "size"} and photo["type"] == "image/jpeg"
    assert photo["name"] == "IMG_0001.jpg" and photo["sha256"] != hashlib.sha256(body).hexdigest()  # cleaned
    served = clerk.get(f"/records/{code}/files/{photo['sha256']}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert hashlib.sha256(served.data).hexdigest() == photo["sha256"] == served.headers["X-Content-SHA256"]
    assert b"DossierCam" not in served.data  # the camera's metadata went on upload
    assert "no-store" in served.headers["Cache-Control"]
    # one header with "; " between its parameters (Chromium refused ", " as two headers: no thumbnail)
    disposition = served.headers["Content-Disposition"]
    assert disposition == "inline; filename=IMG_0001.jpg; filename*=UTF-8''IMG_0001.jpg"
    thumb = clerk.get(f"/records/{code}/files/{photo['sha256']}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data[:3] == b"\xff\xd8\xff"
    with app.app_context(), services().db.reading() as session:
        events = [(e.action, e.detail.get("via"), e.detail.get("sha256")) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == code, AuditEvent.action == "record.download"))]
    assert events == [("record.download", "attachment", photo["sha256"]),
                      ("record.download", "thumbnail", photo["sha256"])]


def test_another_departments_clerk_gets_no_file_and_is_audited(app, logged_in):
    code = _post_cp(logged_in("clerk"), [photo_jpeg()]).headers["Location"].rsplit("/", 1)[-1]
    [row] = _attachments(app)
    sales = logged_in("sales")
    assert sales.get(f"/records/{code}/files/{row.sha256}").status_code == 403
    assert sales.get(f"/records/{code}/files/{row.sha256}/thumb").status_code == 403
    assert logged_in("clerk").get(f"/records/{code}/files/{'0' * 64}").status_code == 404
    assert logged_in("clerk").get(f"/records/{code}/files/..%2F..%2Fsecret").status_code == 404
    with app.app_context(), services().db.reading() as session:
        denied = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == code, AuditEvent.action == "record.download.denied")).all()
    assert len(denied) == 2


def test_a_refused_file_is_named_and_the_accepted_one_and_the_typing_are_kept(app, logged_in):
    clerk = logged_in("clerk")
    bad_name, bad = program_named_jpg()
    refused = _post_cp(clerk, [photo_jpeg(), (bad_name, bad)], extra={"complaint": "划痕很深"})
    assert refused.status_code == 422
    assert bad_name in refused.text and "划痕很深" in refused.text
    assert _attachments(app) == []  # nothing of the record saved
    tokens = re.findall(r'name="defect_photos" value="([^"]+)" checked', refused.text)
    assert len(tokens) == 1 and "IMG_0001.jpg" in refused.text
    made = _post_cp(clerk, [], extra={"complaint": "划痕很深"}, kept=tokens)
    assert made.status_code == 302, made.text
    assert [r.name for r in _attachments(app)] == ["IMG_0001.jpg"]


def test_a_token_signed_for_someone_else_or_forged_keeps_nothing(app, logged_in):
    refused = _post_cp(logged_in("clerk"), [photo_jpeg()], extra={"phone": "12"})
    [token] = re.findall(r'name="defect_photos" value="([^"]+)" checked', refused.text)
    other = logged_in("supervisor")
    made = _post_cp(other, [], kept=[token, token[:-2] + "xx"])
    assert made.status_code == 302
    assert _attachments(app) == []


def test_too_many_photos_are_refused_with_the_limit(logged_in):
    response = _post_cp(logged_in("clerk"), [photo_jpeg()] * 7)
    assert response.status_code == 422 and "6" in response.text


def test_the_api_takes_files_as_base64_and_refuses_a_bare_checksum(app, client, token_for):
    headers = token_for("clerk")
    name, body = clean_pdf(1)
    photo_name, photo = photo_jpeg()
    sent = [{"name": photo_name, "content_base64": base64.b64encode(photo).decode()}]
    created = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": sent}})
    assert created.status_code == 201, created.json
    [stored] = created.json["data"]["defect_photos"]
    assert [r.sha256 for r in _attachments(app)] == [stored["sha256"]]
    wrong_kind = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [{"name": name, "content_base64": base64.b64encode(body).decode()}]}})
    assert wrong_kind.status_code == 422 and name in wrong_kind.json["fields"]["defect_photos"]
    bare = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [stored]}})
    assert bare.status_code == 422 and "content_base64" in bare.json["fields"]["defect_photos"]
    broken = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [{"name": "a.jpg", "content_base64": "%%%"}]}})
    assert broken.status_code == 422 and "base64" in broken.json["fields"]["defect_photos"]
    assert len(_attachments(app)) == 1


def _large_photo() -> tuple[str, bytes]:
    """A photo of about 1.6 MB (noise does not compress): above the 1 MiB that caps other requests."""
    import random

    from PIL import Image

    noise = random.Random(19).randbytes(1400 * 1000 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (1400, 1000), noise).save(out, "JPEG", quality=95)
    return "large.jpg", out.getvalue()


def test_a_photo_larger_than_the_usual_request_limit_is_taken_on_the_page(app, logged_in):
    name, body = _large_photo()
    assert len(body) > 1.5 * 1024 * 1024
    made = _post_cp(logged_in("clerk"), [(name, body)])
    assert made.status_code == 302, (made.status_code, made.text[:3000])
    assert [r.name for r in _attachments(app)] == ["large.jpg"]


def test_a_draft_saved_on_the_page_keeps_its_photo_until_submitted(app, logged_in):
    clerk = logged_in("clerk")
    page = clerk.get("/forms/CP/new")
    saved = clerk.post("/forms/CP/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "action": "save_draft", "customer_name": "上海恒丰",
        "defect_photos": [(io.BytesIO(photo_jpeg()[1]), "IMG_0001.JPG")]})
    assert saved.status_code == 302
    resumed = clerk.get(saved.headers["Location"])
    tokens = re.findall(r'name="defect_photos" value="([^"]+)" checked', resumed.text)
    assert len(tokens) == 1 and "IMG_0001.jpg" in resumed.text and _attachments(app) == []
    made = clerk.post(saved.headers["Location"], content_type="multipart/form-data", data={
        "csrf_token": csrf_token(resumed.text), **CP_PAGE, "action": "submit", "defect_photos": tokens})
    assert made.status_code == 302, made.text[:2000]
    assert [r.name for r in _attachments(app)] == ["IMG_0001.jpg"]


def test_a_reveal_names_a_personal_fields_files_without_opening_them(app, logged_in):
    """An archivist's reveal shows the signed copy scan's name once; the file route still withholds
    it (a reveal is remembered nowhere), so the revealed page links no file."""
    scan = stored_files(app, ("客户签字联.jpg", photo_jpeg()[1]))
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS",
                      {**RS_DATA, "signed_copy_scan": scan}).code
    archivist = logged_in("archivist")
    assert "客户签字联.jpg" not in archivist.get(f"/records/{code}").text
    form = archivist.get(f"/records/{code}/reveal").text
    shown = archivist.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form), "reason": "核实"})
    assert shown.status_code == 200 and "客户签字联.jpg" in shown.text
    assert f"/files/{scan[0]['sha256']}" not in shown.text
    assert archivist.get(f"/records/{code}/files/{scan[0]['sha256']}").status_code == 403


def test_the_api_serves_a_file_audited_and_answers_what_is_not_there(app, client, token_for):
    headers = token_for("clerk")
    sent = [{"name": "IMG_0001.JPG", "content_base64": base64.b64encode(photo_jpeg()[1]).decode()}]
    made = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": sent}}).json
    [photo] = made["data"]["defect_photos"]
    served = client.get(f"/api/v1/records/{made['code']}/files/{photo['sha256']}", headers=headers)
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == photo["sha256"]
    assert served.headers["X-Content-SHA256"] == photo["sha256"]
    other = client.get(f"/api/v1/records/{made['code']}/files/{photo['sha256']}", headers=token_for("sales"))
    assert other.status_code == 403 and other.json["error"]
    nothing = client.get(f"/api/v1/records/{made['code']}/files/{'0' * 64}", headers=headers)
    assert (nothing.status_code, nothing.json["error"]) == (404, f"{made['code']}: no such file")
    gone = client.get(f"/api/v1/records/CP-2026-999999/files/{'0' * 64}", headers=headers)
    assert (gone.status_code, gone.json["error"]) == (404, "no record 'CP-2026-999999'")


def test_the_same_photo_picked_twice_is_one_file(app, logged_in):
    made = _post_cp(logged_in("clerk"), [photo_jpeg(), ("copy.jpg", photo_jpeg()[1])])
    assert made.status_code == 302, made.text[:2000]
    assert [r.name for r in _attachments(app)] == ["IMG_0001.jpg"]  # the same bytes: the first name
