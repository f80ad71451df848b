"""Attaching and removing files after submission (issue 19): a revision like any other (here the
correction, 勘误, which CP allows before and after filing, with its reason), which names the
files it holds; the attachments rows say which revision added a file and which removed it, and a
removed file stays readable with the revision that held it. Over the API a kept file is sent by
its descriptor, a new one by its content; a checksum the record never held is refused."""

from __future__ import annotations

import base64
import io
import re

from flask import Flask
from sqlalchemy import select

from archive.attachment_models import Attachment
from core.web import services
from tests.support.instance import VALID_CP, csrf_token
from tests.support.lifecycle import close_complaint, work_outbox
from tests.support.upload_samples import photo_jpeg, png_with_text


def _b64(name: str, data: bytes) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(data).decode()}


def _rows(app: Flask) -> list[tuple]:
    with app.app_context(), services().db.reading() as session:
        return [tuple(row) for row in session.execute(select(
            Attachment.name, Attachment.revision, Attachment.removed_revision).order_by(Attachment.id))]


def _correct(client, headers, code: str, photos: list, reason: str = "补拍照片"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/records/{code}/actions/correct", headers=headers,
                       json={"fields": {"defect_photos": photos}, "reason": reason})


def test_a_correction_adds_and_removes_photos_and_the_removed_one_stays_readable(
        app: Flask, client, token_for, logged_in) -> None:
    headers = token_for("clerk")
    made = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64(*photo_jpeg())]}})
    code, [first] = made.json["code"], made.json["data"]["defect_photos"]
    added = _correct(client, headers, code, [first, _b64("second.png", png_with_text()[1])])
    assert added.status_code == 200, added.json
    assert [p["name"] for p in added.json["data"]["defect_photos"]] == ["IMG_0001.jpg", "second.png"]
    second = added.json["data"]["defect_photos"][1]
    removed = _correct(client, headers, code, [second], reason="第一张拍错了")
    assert removed.status_code == 200, removed.json
    assert _rows(app) == [("IMG_0001.jpg", 1, 3), ("second.png", 2, None)]
    page = logged_in("clerk")
    record_page = page.get(f"/records/{code}").text
    assert f"/files/{first['sha256']}" not in record_page and f"/files/{second['sha256']}" in record_page
    assert "第一张拍错了" in record_page and "IMG_0001.jpg" in record_page  # the history's change
    assert page.get(f"/records/{code}/files/{first['sha256']}").status_code == 200  # still readable


def test_after_filing_only_a_correction_with_a_reason_changes_the_files(app: Flask, client,
                                                                       token_for) -> None:
    headers = token_for("clerk")
    made = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64(*photo_jpeg())]}})
    code = made.json["code"]
    close_complaint(app, code)
    work_outbox(app)  # filed
    assert client.get(f"/api/v1/records/{code}", headers=headers).json["filing"]["filed_at"]
    photo = made.json["data"]["defect_photos"][0]
    without_reason = _correct(client, headers, code, [photo, _b64("late.png", png_with_text()[1])], reason="")
    assert without_reason.status_code == 422 and "reason" in without_reason.json["fields"]
    corrected = _correct(client, headers, code, [photo, _b64("late.png", png_with_text()[1])])
    assert corrected.status_code == 200, corrected.json
    assert [name for name, *_ in _rows(app)] == ["IMG_0001.jpg", "late.png"]


def test_a_checksum_the_record_never_held_is_refused(app: Flask, client, token_for) -> None:
    headers = token_for("clerk")
    other = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64("other.png", png_with_text()[1])]}}).json
    code = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP}).json["code"]
    refused = _correct(client, headers, code, other["data"]["defect_photos"])
    assert refused.status_code == 422 and "content_base64" in refused.json["fields"]["defect_photos"]
    assert [name for name, *_ in _rows(app)] == ["other.png"]


def test_the_correction_page_takes_a_photo_and_keeps_the_ones_there(app: Flask, client, token_for,
                                                                   logged_in) -> None:
    headers = token_for("clerk")
    made = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64(*photo_jpeg())]}})
    code = made.json["code"]
    clerk = logged_in("clerk")
    page = clerk.get(f"/records/{code}/actions/correct")
    assert 'enctype="multipart/form-data"' in page.text
    kept = re.findall(r'name="defect_photos" value="([^"]+)" checked', page.text)
    assert len(kept) == 1
    form = {"csrf_token": csrf_token(page.text), "revision": "1", "reason": "补拍",
            "defect_photos": [*kept, (io.BytesIO(png_with_text()[1]), "more.png")]}
    for name in ("channel", "received_at", "customer_name", "phone", "complaint"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.text)
        form[name] = found.group(1) if found else VALID_CP[name]
    done = clerk.post(f"/records/{code}/actions/correct", data=form, content_type="multipart/form-data")
    assert done.status_code == 302, done.text[:2000]
    assert _rows(app) == [("IMG_0001.jpg", 1, None), ("more.png", 2, None)]


def test_a_draft_over_the_api_takes_files_by_content_and_never_by_a_foreign_checksum(
        app: Flask, client, token_for) -> None:
    headers = token_for("clerk")
    other = client.post("/api/v1/records", headers=token_for("supervisor"), json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64("theirs.png", png_with_text()[1])]}}).json
    forged = client.post("/api/v1/drafts", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": other["data"]["defect_photos"]}})
    assert forged.status_code == 422 and "content_base64" in forged.json["fields"]["defect_photos"]
    draft = client.post("/api/v1/drafts", headers=headers, json={"form": "CP", "data": {
        **VALID_CP, "defect_photos": [_b64(*photo_jpeg())]}})
    assert draft.status_code == 201, draft.json
    [photo] = draft.json["data"]["defect_photos"]
    kept = client.put(f"/api/v1/drafts/{draft.json['id']}", headers=headers, json={"data": {
        **VALID_CP, "defect_photos": [photo]}})  # the draft's own file, by its descriptor
    assert kept.status_code == 200, kept.json
    made = client.post(f"/api/v1/drafts/{draft.json['id']}/submit", headers=headers)
    assert made.status_code == 201 and made.json["data"]["defect_photos"] == [photo]
    assert [name for name, *_ in _rows(app)] == ["theirs.png", "IMG_0001.jpg"]


def test_completing_a_returned_complaint_adds_a_photo_without_a_reason(app: Flask, client, token_for) -> None:
    """Before filing, a photo is added like any other change: the supervisor returns the
    complaint for a photo, the clerk completes it with one (complete needs no reason)."""
    clerk = token_for("clerk")
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
    returned = client.post(f"/api/v1/records/{code}/actions/return", headers=token_for("supervisor"),
                           json={"reason": "请补拍缺陷照片"})
    assert returned.status_code == 200, returned.json
    completed = client.post(f"/api/v1/records/{code}/actions/complete", headers=clerk,
                            json={"fields": {"defect_photos": [_b64(*photo_jpeg())]}})
    assert completed.status_code == 200, completed.json
    assert completed.json["revision"] == 3 and _rows(app) == [("IMG_0001.jpg", 3, None)]
