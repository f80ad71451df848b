"""Properties of archive.uploads over arbitrary input: any bytes under any name end in a checked
file or an UploadRefused, never another exception; a stored name never holds a path separator
or a control character; damaged variants of every good file are refused or stored cleanly."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.upload_refusals import SHOWN_NAME_CHARS
from archive.uploads import MB, CheckedFile, Kind, Limits, UploadRefused, check_upload, safe_name
from tests.support import upload_samples

ANYTHING = Limits(kinds=frozenset(Kind), max_bytes=MB, max_files=1)
MAGIC = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"%PDF-1.7\n",
         b"\x00\x00\x00\x18ftypheic", b"\x00\x00\x00\x18ftypmif1", b"GIF89a", b"MZ", b""]
GOOD = [upload_samples.photo_jpeg()[1], upload_samples.png_with_text()[1], upload_samples.webp_photo()[1],
        upload_samples.heic_photo()[1], upload_samples.clean_pdf(pages=1)[1]]
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
names = st.text(st.characters(codec=None), max_size=300) | st.sampled_from(
    ["../../x.jpg", "..\\..\\boot.ini", "/etc/passwd", "C:\\Users\\me\\照片.JPG", "...", " . ", "\x00",
     "a\x00b.jpg", "\u202egpj.exe", "CON", ".bashrc", "x" * 5000 + ".jpg"])


def assert_safe(name: str) -> None:
    assert "/" not in name and "\\" not in name
    assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in name)
    assert not name.startswith(".") and len(name) <= 110


def outcome(name: str, data: bytes) -> CheckedFile | UploadRefused:
    try:
        checked = check_upload(name, data, ANYTHING)
    except UploadRefused as refused:
        assert refused.file_name == name and str(refused.reason)
        return refused
    assert_safe(checked.name)
    return checked


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names)
def test_any_sent_name_is_shown_in_a_message_cleaned_and_short(app, sent):
    refusal = UploadRefused(sent, "x")
    for language in ("zh", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            shown = refusal.message()
        assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in shown)
        assert len(shown) <= SHOWN_NAME_CHARS + 8


@given(names)
def test_any_sent_name_becomes_a_safe_name_or_none(sent):
    for media_type, extension in (("image/jpeg", ".jpg"), ("application/pdf", ".pdf")):
        name = safe_name(sent, media_type)
        if name is not None:
            assert_safe(name)
            assert name.endswith(extension) and len(name) > len(extension)


@SLOW
@given(names)
def test_any_name_on_a_good_file_is_stored_safely_or_refused_for_its_name(sent):
    result = outcome(sent, GOOD[0])
    if isinstance(result, UploadRefused):
        reason = str(result.reason)
        assert "no usable characters" in reason or "climbs out of its folder" in reason


@SLOW
@given(st.sampled_from(MAGIC), st.binary(max_size=4096), names)
def test_arbitrary_bytes_are_refused_or_checked(magic, rest, name):
    outcome(name, magic + rest)


@SLOW
@given(st.sampled_from(GOOD), st.data())
def test_damaged_good_files_are_refused_or_stored_cleanly(good, data):
    damaged = bytearray(good)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(damaged)))
    result = outcome("sample", bytes(damaged[:cut]))
    if isinstance(result, CheckedFile):  # what is stored checks again as the same file
        again = check_upload(result.name, result.data, ANYTHING)
        assert (again.media_type, again.width, again.height, again.pages) == (
            result.media_type, result.width, result.height, result.pages)
