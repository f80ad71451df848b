"""A file store that cannot be reached (the S3 service down, a wrong endpoint) is a 503 with a
message in the reader's language on the pages and in the API, never a 500 or a traceback, and
the cause (host, bucket) goes to the log, not to the reader. The S3 endpoint here is a closed
port on this machine: the connection is refused at once, as when the service is down."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from flask import Flask

from core.clock import FrozenClock
from tests.support.clock import START
from tests.support.instance import login, make_app
from tests.support.lifecycle import new_complaint, work_outbox


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def unreachable_store_app(app: Flask) -> tuple[Flask, str]:
    """The same instance, its archival copy rendered into the folder store, then served by an
    app whose FILE_STORE is an S3 service that is not there."""
    code = new_complaint(app)
    work_outbox(app)
    other = make_app(app.config["DATABASE_URL"], FrozenClock(START), FILE_STORE="s3",
                     S3_ENDPOINT_URL=f"http://127.0.0.1:{closed_port()}", S3_BUCKET="dossier",
                     S3_ACCESS_KEY_ID="test:tester", S3_SECRET_ACCESS_KEY="testing")
    return other, code


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "cannot be reached just now"),
    ("zh", "暂时无法连接"),
])
def test_the_archival_copy_page_answers_503_in_the_readers_language(
        unreachable_store_app: tuple[Flask, str], language: str, expected: str) -> None:
    other, code = unreachable_store_app
    client = other.test_client()
    login(client, "archivist")
    response = client.get(f"/records/{code}/archival.pdf", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert expected in page
    assert "127.0.0.1" not in page and "Traceback" not in page


def test_the_api_answers_503_as_json(unreachable_store_app: tuple[Flask, str],
                                     token_for: Callable[[str], dict[str, str]]) -> None:
    other, code = unreachable_store_app
    response = other.test_client().get(f"/api/v1/records/{code}/archival", headers=token_for("archivist"))
    assert response.status_code == 503
    assert response.is_json and "cannot be reached" in response.get_json()["error"]
    assert "127.0.0.1" not in response.get_data(as_text=True)
