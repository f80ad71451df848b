"""Issue 19, done means: a clerk on a phone-width page (390 px) attaches a photo to a complaint, in
Chinese and in English, and sees it on the record (its thumbnail loaded, opening the original),
on the printed handout (pdfimages finds it) and inside the archival PDF/A-3 (the same bytes,
with its SHA-256). A refused file is named on the page while the accepted one is kept."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support.attachments import stored_files
from tests.support.hostile_files import program_named_jpg
from tests.support.journeys import PHONE, check, file_records, signed_in, take
from tests.support.lifecycle import close_complaint, new_complaint
from tests.support.upload_samples import photo_jpeg, png_with_text

pytestmark = pytest.mark.browser

TEXTS = {
    "zh-CN": {"channel": "电话", "submit": "提交", "photos": "缺陷照片", "archival": "下载归档 PDF/A"},
    "en-US": {"channel": "Phone", "submit": "Submit", "photos": "Defect photos",
              "archival": "Download the archival PDF/A"},
}


def _fill_complaint(page, t: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(t["channel"], exact=True).check()
    page.locator("#received_at").fill("2026-03-02 09:00")
    page.locator("#customer_name").fill("上海恒丰贸易有限公司")
    page.locator("#phone").fill("138 0013 8000")
    page.locator("#complaint").fill("外包装破损，部分产品表面有划痕。")


def _images_in(pdf: bytes, folder: Path) -> int:
    (folder / "doc.pdf").write_bytes(pdf)
    listed = subprocess.run(["pdfimages", "-list", str(folder / "doc.pdf")], capture_output=True,
                            check=True, text=True).stdout.splitlines()[2:]
    return len([line for line in listed if line.split()[2] == "image"])


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_photo_attached_on_a_phone_is_on_the_record_the_handout_and_the_archival_copy(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, tmp_path, locale) -> None:
    t = TEXTS[locale]
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    page.goto(f"{live_server}/forms/CP/new")
    picker = page.get_by_label(t["photos"])
    assert picker.get_attribute("accept") == "image/*" and picker.get_attribute("multiple") is not None
    assert picker.get_attribute("capture") is None  # a phone offers camera and photos (fields/files.py)
    _fill_complaint(page, t)
    name, photo = photo_jpeg()
    picker.set_input_files([{"name": name, "mimeType": "image/jpeg", "buffer": photo}])
    check(page, artifacts, f"attach-photo-form-{locale}")
    page.get_by_role("button", name=t["submit"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/records/CP-2026-\d{6}$"))
    code = page.url.rsplit("/", 1)[-1]

    thumb = page.locator("img.file-tile__thumb")
    thumb.scroll_into_view_if_needed()  # loading="lazy": fetched once near the viewport
    expect(thumb).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    check(page, artifacts, f"attach-photo-record-{locale}")
    href = page.locator("a.file-tile__link").get_attribute("href")
    origin = "/".join(page.url.split("/", 3)[:3])
    original = page.request.get(origin + href)
    assert original.ok and original.headers["content-type"] == "image/jpeg"
    digest = hashlib.sha256(original.body()).hexdigest()
    assert href.endswith(digest)

    handout = page.request.get(f"{origin}/records/{code}.pdf")
    assert handout.ok and _images_in(handout.body(), tmp_path) == 1
    (artifacts / f"attach-photo-handout-{locale}.pdf").write_bytes(handout.body())

    file_records(app)
    page.reload()
    archival = page.request.get(f"{origin}/records/{code}/archival.pdf")
    assert archival.ok, archival.status
    with pikepdf.open(io.BytesIO(archival.body())) as pdf:
        embedded = {spec.get_file().read_bytes(): str(spec.description)
                    for name_, spec in pdf.attachments.items() if not name_.endswith(".json")}
    assert list(embedded) == [original.body()] and digest in next(iter(embedded.values()))


def test_a_refused_file_is_named_and_the_accepted_photo_kept_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts) -> None:
    t = TEXTS["zh-CN"]
    page = signed_in(new_page, live_server, "clerk", "zh-CN", PHONE)
    page.goto(f"{live_server}/forms/CP/new")
    _fill_complaint(page, t)
    (name, photo), (bad_name, bad) = photo_jpeg(), program_named_jpg()
    page.get_by_label(t["photos"]).set_input_files([
        {"name": name, "mimeType": "image/jpeg", "buffer": photo},
        {"name": bad_name, "mimeType": "image/jpeg", "buffer": bad}])
    page.get_by_role("button", name=t["submit"], exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#group-defect_photos .error-message")).to_contain_text(bad_name)
    kept = page.get_by_label("IMG_0001.jpg")
    expect(kept).to_be_checked()
    assert page.locator("#complaint").input_value() == "外包装破损，部分产品表面有划痕。"
    check(page, artifacts, "attach-photo-refused-zh")
    page.get_by_role("button", name=t["submit"], exact=True).click()
    expect(page.locator("img.file-tile__thumb")).to_have_count(1)


def test_a_filed_complaints_photo_is_replaced_by_a_correction_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts) -> None:
    """After filing, only a correction with a reason changes the files: the clerk unticks the
    photo, takes another, says why; the record shows the new one, its history names both, and
    the old one still opens (it is the filed revision's)."""
    first = stored_files(app, photo_jpeg())
    code = new_complaint(app, defect_photos=first)
    close_complaint(app, code)
    file_records(app)
    page = signed_in(new_page, live_server, "clerk", "zh-CN", PHONE)
    page.goto(f"{live_server}/records/{code}")
    take(page, "勘误")
    page.get_by_label("IMG_0001.jpg").uncheck()
    page.get_by_label("缺陷照片").set_input_files(
        [{"name": "retake.png", "mimeType": "image/png", "buffer": png_with_text()[1]}])
    page.locator("#reason").fill("原照片拍错了客户的货")
    check(page, artifacts, "attach-photo-correction-zh")
    page.locator("form.record-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(code)
    expect(page.locator(".file-tile__name")).to_have_text(["retake.png"])
    last = page.locator("table.history tbody tr").last
    expect(last).to_contain_text("原照片拍错了客户的货")
    expect(last.locator("del")).to_contain_text("IMG_0001.jpg")
    expect(last.locator("ins")).to_contain_text("retake.png")
    check(page, artifacts, "attach-photo-corrected-record-zh")
    origin = "/".join(page.url.split("/", 3)[:3])
    assert page.request.get(f"{origin}/records/{code}/files/{first[0]['sha256']}").ok
