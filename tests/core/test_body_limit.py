"""A request body over the limit is answered 413 in the user's language, naming the limit: the
HTML page, the JSON API, and a view that raises the limit for its own uploads (Flask's
per-request ``max_content_length``, as archive.uploads tells file-taking views to do)."""

from __future__ import annotations

import io

import pytest
from flask import Flask, jsonify, request

from archive.uploads import MB, Kind, Limits, UploadRefused, check_upload, read_capped, request_cap
from tests.support import upload_samples

TWO_MB = "a" * (2 * MB)
PHOTOS = Limits(kinds=frozenset({Kind.IMAGE}), max_bytes=2 * MB, max_files=1)  # request_cap: 3 MB


@pytest.mark.parametrize(("language", "words"), [
    ("zh", "提交的内容超过 1 MB，这是本页一次最多能接收的大小。没有保存任何内容。"),
    ("en", "What you sent is larger than 1 MB, the most this page accepts at once. Nothing was saved."),
])
def test_an_oversized_form_post_gets_a_413_page_naming_the_limit(client, language, words):
    response = client.post("/login", data={"note": TWO_MB}, headers={"Accept-Language": language})
    assert response.status_code == 413
    assert words in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "words"), [
    ("zh", "请求正文超过 1 MB（1048576 字节）"),
    ("en", "The request body is larger than 1 MB (1048576 bytes)"),
])
def test_an_oversized_api_body_gets_json_naming_the_limit(client, token_for, language, words):
    """On a call that carries no files (record submissions and actions raise their cap to take
    files as base64)."""
    headers = {**token_for("archivist"), "Accept-Language": language}
    response = client.post("/api/v1/archive/holds", headers=headers, data=TWO_MB,
                           content_type="application/json")
    assert response.status_code == 413, response.json
    assert words in response.json["error"]


@pytest.fixture
def upload_app(app: Flask) -> Flask:
    """The real app with one extra view taking a photo as a file-taking view should."""

    @app.post("/test-upload")
    def _upload() -> object:
        request.max_content_length = request_cap(PHOTOS)
        storage = request.files["photo"]
        try:
            checked = check_upload(storage.filename or "", read_capped(storage.stream, PHOTOS.max_bytes,
                                                                       storage.filename or ""), PHOTOS)
        except UploadRefused as refused:
            return jsonify(error=refused.message()), 422
        return jsonify(name=checked.name, type=checked.media_type)

    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_a_view_raises_the_limit_for_its_own_uploads(upload_app):
    client = upload_app.test_client()
    name, photo = upload_samples.photo_jpeg()
    padded = photo + b"\x00" * (MB + MB // 2)  # 1.5 MB after the image's end: over the app's 1 MiB
    response = client.post("/test-upload", data={"photo": (io.BytesIO(padded), name)},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"name": "IMG_0001.jpg", "type": "image/jpeg"}


def test_a_file_over_the_field_limit_is_refused_by_name(upload_app):
    client = upload_app.test_client()
    big = upload_samples.photo_jpeg()[1] + b"\x00" * (2 * MB)
    response = client.post("/test-upload", data={"photo": (io.BytesIO(big), "big.jpg")},
                           headers={"Accept-Language": "zh"})
    assert response.status_code == 422
    assert response.json["error"].startswith("「big.jpg」：文件太大（超过 2 MB）")


def test_a_body_over_the_views_own_limit_gets_the_413_page_naming_it(upload_app):
    client = upload_app.test_client()
    huge = b"\x00" * (4 * MB)
    response = client.post("/test-upload", data={"photo": (io.BytesIO(huge), "huge.jpg")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than 3 MB" in response.get_data(as_text=True)
