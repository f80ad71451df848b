"""archive.uploads: the hostile set refused with a clear message in both languages; good images
come out upright and bare; batches report every refusal; the byte cap stops reading early.

The files come from tests/support/hostile_files.py and upload_samples.py (made by code)."""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import replace

import pytest
from flask import Flask
from PIL import Image

from archive.uploads import (
    MB,
    Kind,
    Limits,
    UploadRefused,
    UploadsRefused,
    check_upload,
    check_uploads,
    read_capped,
    thumbnail,
)
from tests.support import hostile_files, upload_samples
from tests.support.hostile_files import HOSTILE, EndlessUpload

ANYTHING = Limits(kinds=frozenset(Kind), max_bytes=20 * MB, max_files=5)
IMAGES = Limits(kinds=frozenset({Kind.IMAGE}), max_bytes=20 * MB, max_files=5)

#: For each hostile file: words its English message and its Chinese message must carry.
REASONS = {
    "empty_file": ("the file is empty (0 bytes)", "文件是空的（0 字节）"),
    "program_named_jpg": ("not one of the allowed types (JPEG, PNG, WebP, HEIC or PDF)",
                          "不是所允许的类型（JPEG、PNG、WebP、HEIC 或 PDF）"),
    "html_named_pdf": ("not one of the allowed types", "不是所允许的类型"),
    "pdf_header_later": ("not one of the allowed types", "不是所允许的类型"),
    "nothing_but_traversal": ("climbs out of its folder (../)", "上级目录"),
    "traversal_name": ("climbs out of its folder (../)", "上级目录"),
    "decompression_bomb_png": ("more than the 40 million pixels allowed", "超过了允许的 40 百万像素"),
    "huge_jpeg_header": ("more than the 40 million pixels allowed", "超过了允许的 40 百万像素"),
    "truncated_jpeg": ("the image is damaged or incomplete", "图片已损坏或不完整"),
    "heic_lying_size": ("the image is damaged or incomplete", "图片已损坏或不完整"),
    "animated_png": ("animated images are not accepted", "不接受动图"),
    "animated_webp": ("animated images are not accepted", "不接受动图"),
    "pdf_open_action_javascript": ("the PDF contains JavaScript", "PDF 含有 JavaScript"),
    "pdf_annotation_javascript": ("the PDF contains JavaScript", "PDF 含有 JavaScript"),
    "pdf_names_tree_javascript": ("the PDF contains JavaScript", "PDF 含有 JavaScript"),
    "pdf_launch_action": ("starts other programs or opens other files", "启动其他程序或打开其他文件"),
    "pdf_embedded_file": ("the PDF carries attached files", "PDF 中附带了文件"),
    "pdf_xfa_form": ("dynamic (XFA) form", "动态（XFA）表单"),
    "pdf_encrypted": ("the PDF is encrypted or password-protected", "PDF 已加密或设有密码"),
    "pdf_owner_password_only": ("the PDF is encrypted or password-protected", "PDF 已加密或设有密码"),
    "pdf_too_many_objects": ("the PDF is too complex to check (more than 100,000 objects)",
                             "PDF 过于复杂，无法检查（超过 100,000 个对象）"),
    "pdf_truncated": ("the PDF is damaged or incomplete", "PDF 已损坏或不完整"),
    "pdf_half": ("the PDF is damaged or incomplete", "PDF 已损坏或不完整"),
}


def message_in(app: Flask, language: str, refusal: UploadRefused | UploadsRefused) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        if isinstance(refusal, UploadsRefused):
            return " | ".join(refusal.messages())
        return refusal.message()


def refusal_of(name: str, data: bytes, limits: Limits = ANYTHING) -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        check_upload(name, data, limits)
    assert refused.value.file_name == name
    return refused.value


def test_every_hostile_file_has_its_expected_reason():
    assert set(REASONS) == set(HOSTILE)


@pytest.mark.parametrize("which", sorted(HOSTILE))
def test_hostile_file_is_refused_naming_file_and_reason_in_both_languages(app, which):
    name, data = HOSTILE[which]()
    refusal = refusal_of(name, data)
    english, chinese = REASONS[which]
    assert message_in(app, "en", refusal).startswith(f"“{name}”: ")
    assert english in message_in(app, "en", refusal)
    assert message_in(app, "zh", refusal).startswith(f"「{name}」：")
    assert chinese in message_in(app, "zh", refusal)


def test_200_mb_upload_is_refused_after_reading_only_the_cap(app):
    upload = EndlessUpload(200 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(UploadRefused) as refused:
            read_capped(upload, 20 * MB, "video.jpg")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert upload.handed_out == 20 * MB + 1  # one byte past the cap, then it stopped
    assert peak < 30 * MB, peak
    assert message_in(app, "en", refused.value) == (
        "“video.jpg”: the file is too large (over 20 MB). Make it smaller, e.g. scan at a lower resolution, "
        "and upload it again.")
    assert "文件太大（超过 20 MB）" in message_in(app, "zh", refused.value)


def test_read_capped_returns_a_stream_at_or_under_the_cap_whole():
    data = upload_samples.photo_jpeg()[1]
    assert read_capped(io.BytesIO(data), len(data)) == data
    assert read_capped(io.BytesIO(b""), 10) == b""
    with pytest.raises(UploadRefused):
        read_capped(io.BytesIO(data), len(data) - 1)


def test_over_size_bytes_are_refused_before_being_parsed(app):
    name, data = upload_samples.clean_pdf()
    refusal = refusal_of(name, data, Limits(kinds=frozenset(Kind), max_bytes=len(data) - 1, max_files=1))
    assert "too large" in message_in(app, "en", refusal)


def test_a_field_taking_images_refuses_a_pdf_naming_what_it_takes(app):
    refusal = refusal_of(*upload_samples.clean_pdf(), limits=IMAGES)
    assert "(JPEG, PNG, WebP or HEIC)" in message_in(app, "en", refusal)
    assert "（JPEG、PNG、WebP 或 HEIC）" in message_in(app, "zh", refusal)


@pytest.mark.parametrize("sent", ["../../evil.jpg", "..\\..\\evil.jpg", "photos/../../etc/evil.jpg", ".."])
def test_a_name_climbing_out_of_its_folder_is_refused_naming_the_file(app, sent):
    refusal = refusal_of(sent, upload_samples.photo_jpeg()[1], ANYTHING)
    said = message_in(app, "en", refusal)
    assert "climbs out of its folder (../)" in said and sent in said
    assert "上级目录" in message_in(app, "zh", refusal)


@pytest.mark.parametrize(("sent", "stored"), [
    ("C:\\Users\\me\\Desktop\\损坏.JPG", "损坏.jpg"), ("/tmp/x/photo.jpeg ", "photo.jpg"),
    (".hidden.jpg", "hidden.jpg"), ("a\x00b\u202e.jpg", "ab.jpg"), ("what?.jpg", "what_.jpg"),
    ("con.jpg", "_con.jpg"), ("report.2026", "report.2026.jpg"), ("x" * 300 + ".jpg", "x" * 100 + ".jpg"),
])
def test_sent_names_become_display_names(sent, stored):
    assert check_upload(sent, upload_samples.photo_jpeg()[1], ANYTHING).name == stored


def test_content_decides_the_type_and_the_name_gets_its_extension():
    png = upload_samples.png_with_text()[1]
    checked = check_upload("holiday.jpg", png, ANYTHING)
    assert (checked.name, checked.media_type) == ("holiday.png", "image/png")
    assert check_upload("报告", upload_samples.clean_pdf()[1], ANYTHING).name == "报告.pdf"


def test_too_many_files_is_one_refusal_without_decoding_any(app):
    files = [upload_samples.photo_jpeg()] * 2 + [hostile_files.decompression_bomb_png()]
    with pytest.raises(UploadsRefused) as refused:
        check_uploads(files, Limits(kinds=frozenset(Kind), max_bytes=MB, max_files=2))
    assert [r.file_name for r in refused.value.refusals] == [None]
    assert message_in(app, "en", refused.value) == "3 files were sent; at most 2 may be attached here."
    assert message_in(app, "zh", refused.value) == "共发送了 3 个文件；这里最多可附 2 个。"


def test_a_batch_reports_every_refused_file_and_returns_none_of_the_good_ones(app):
    files = [upload_samples.photo_jpeg(), hostile_files.empty_file(), hostile_files.pdf_launch_action()]
    with pytest.raises(UploadsRefused) as refused:
        check_uploads(files, ANYTHING)
    assert [r.file_name for r in refused.value.refusals] == ["empty.jpg", "launch.pdf"]
    shown = message_in(app, "zh", refused.value)
    assert "「empty.jpg」：文件是空的" in shown and "「launch.pdf」：PDF 含有启动其他程序" in shown


def test_a_good_batch_is_checked_in_order():
    files = [upload_samples.photo_jpeg(), upload_samples.clean_pdf(), upload_samples.webp_photo()]
    checked = check_uploads(files, ANYTHING)
    assert [c.media_type for c in checked] == ["image/jpeg", "application/pdf", "image/webp"]


def test_a_name_shown_in_a_message_is_cleaned_and_trimmed(app):
    refusal = refusal_of("evil\x1b[31m\u202egpj.exe" + "x" * 300, b"")
    shown = message_in(app, "en", refusal)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert len(shown) < 200 and "…" in shown


def test_a_file_sent_without_a_name_is_called_so(app):
    refusal = refusal_of("", b"")
    assert message_in(app, "en", refusal).startswith("“file without a name”: the file is empty")
    assert message_in(app, "zh", refusal).startswith("「无名文件」：文件是空的")


def test_image_thumbnail_is_a_small_jpeg():
    checked = check_upload(*upload_samples.photo_jpeg(), ANYTHING)
    small = Image.open(io.BytesIO(thumbnail(checked, longest_side=32)))
    assert small.format == "JPEG" and max(small.size) == 32


def test_a_thumbnail_of_bytes_that_are_no_image_is_none():
    checked = check_upload(*upload_samples.photo_jpeg(), ANYTHING)
    assert thumbnail(replace(checked, data=checked.data[:100])) is None
    assert thumbnail(replace(checked, data=b"%PDF-1.7 nothing", media_type="application/pdf")) is None


def test_pdf_thumbnail_is_its_first_page_as_a_small_jpeg():
    checked = check_upload(*upload_samples.clean_pdf(), ANYTHING)
    small = Image.open(io.BytesIO(thumbnail(checked, longest_side=120)))
    assert small.format == "JPEG" and max(small.size) == 120
    blue = small.getpixel((small.width // 4, small.height * 3 // 4))  # the page's blue rectangle
    assert blue[2] > 200 and blue[0] < 60, blue
