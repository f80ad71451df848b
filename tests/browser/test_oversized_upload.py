"""A 200 MB upload through a real browser to the real servers we deploy with (gunicorn's sync
worker, as README recommends, and waitress, as `serve` runs) is answered with the 413 page in the
user's language, naming the limit, not a dropped connection.

gunicorn answers before reading the body and closes the connection while Chromium is still
sending; Chromium reads the early answer and shows it. waitress reads the whole body to a
temporary file first, then the app answers. Both were seen doing this by hand before this test.
"""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.support.postgres import free_port
from tests.support.two_servers import VENV_BIN, Cluster, cluster

pytestmark = pytest.mark.browser

MB = 1024 * 1024
SERVERS = {
    "gunicorn": lambda port: [str(VENV_BIN / "gunicorn"), "-k", "sync", "-w", "1", "-b", f"127.0.0.1:{port}",
                              "wsgi:app"],
    "waitress": lambda port: [str(VENV_BIN / "waitress-serve"), "--host", "127.0.0.1", "--port", str(port),
                              "--threads", "2", "wsgi:app"],
}
FORM = """() => {
  const form = document.createElement('form');
  form.method = 'post'; form.enctype = 'multipart/form-data'; form.action = '/login';
  form.innerHTML = '<input type="file" name="photo" id="photo"><button id="send">send</button>';
  document.body.append(form);
}"""


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    """200 MB of zeros as a sparse file: nothing is written to disk."""
    path = tmp_path / "video.jpg"
    with path.open("wb") as handle:
        handle.truncate(200 * MB)
    return path


@pytest.fixture
def served(app: Flask, instance_dir: Path) -> Iterator[Callable[[str], str]]:
    """``served("gunicorn")`` → the address of that server serving the test's instance."""
    with cluster() as running:
        yield lambda name: _start(running, name, instance_dir)


def _start(running: Cluster, name: str, instance: Path) -> str:
    port = free_port()
    process = running.start(name, instance, SERVERS[name](port))
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            connection.getresponse().read()
            return f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not come up") from None
            time.sleep(0.1)


def post_file(page: Page, address: str, path: Path) -> float:
    page.goto(f"{address}/login")
    page.evaluate(FORM)
    page.set_input_files("#photo", str(path))
    started = time.monotonic()
    with page.expect_navigation(timeout=60_000):
        page.click("#send")
    return time.monotonic() - started


@pytest.mark.parametrize("server", sorted(SERVERS))
@pytest.mark.parametrize(("locale", "words"), [
    ("zh-CN", "提交的内容超过 1 MB，这是本页一次最多能接收的大小。没有保存任何内容。"),
    ("en", "What you sent is larger than 1 MB, the most this page accepts at once. Nothing was saved."),
])
def test_a_200_mb_upload_gets_the_413_page(served, new_page, big_file, server, locale, words):
    assert os.stat(big_file).st_size == 200 * MB
    address = served(server)
    page = new_page(locale)
    seconds = post_file(page, address, big_file)
    assert words in page.inner_text("main")
    assert "413" in page.inner_text("main")
    assert seconds < 30, seconds
