"""The PDF renderer: Chinese text and embedded fonts checked with poppler, and nothing fetched
that is not ours."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from forms.pdf.fonts import MissingFontError, find_fonts
from forms.pdf.render import Renderer


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(find_fonts())


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pdf_fonts(pdf: bytes) -> list[list[str]]:
    lines = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode().splitlines()[2:]
    return [line.split() for line in lines]


PAGE = """<html lang="zh-CN"><head><link rel="stylesheet" href="dossier-asset:print.css"></head>
<body><h1>客户抱怨处理表</h1><p><b>联系电话</b> 13800138000 · Customer complaint</p></body></html>"""


def test_chinese_text_is_extractable_and_every_font_is_embedded(renderer):
    rendered = renderer.render(PAGE)
    assert rendered.pdf.startswith(b"%PDF-")
    text = pdf_text(rendered.pdf)
    assert "客户抱怨处理表" in text and "联系电话" in text and "Customer complaint" in text
    fonts = pdf_fonts(rendered.pdf)
    assert fonts, "no fonts listed"
    assert all("Dossier-Sans" in row[0] for row in fonts), fonts  # ours, no host fallback
    assert all(row[-5] == "yes" for row in fonts), fonts  # the 'emb' column
    assert rendered.refused == ()


class CountingHandler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    CountingHandler.hits = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_nothing_outside_our_assets_is_fetched(renderer, local_server):
    urls = [
        "file:///etc/passwd", f"{local_server}/img.png",
        f"{local_server.replace('http', 'https')}/x", "data:image/svg+xml;base64,PHN2Zy8+",
        "ftp://127.0.0.1/x", "dossier-asset:../../../etc/passwd",
        "dossier-asset:%2e%2e/%2e%2e/core/config.py", "dossier-asset:/etc/passwd",
        "dossier-font:../../etc/passwd", "dossier-logo:", "dossier-logo:../../etc/passwd",
        "relative/path.png",
    ]
    images = "".join(f'<img src="{url}">' for url in urls)
    styles = (f'<link rel="stylesheet" href="file:///etc/passwd">'
              f'<style>@import url({local_server}/a.css);</style>')
    rendered = renderer.render(
        f'<html lang="zh-CN"><head>{styles}</head><body>{images}<p>正文</p></body></html>')
    assert CountingHandler.hits == []  # no request reached the server, so no redirect either
    refused = set(rendered.refused)
    for url in urls[:-1]:
        assert url in refused, url
    assert "root:" not in pdf_text(rendered.pdf) and "正文" in pdf_text(rendered.pdf)


def test_the_logo_scheme_serves_the_configured_file_and_nothing_else(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">'
                    '<image href="file:///etc/passwd"/><rect width="4" height="4"/></svg>')
    renderer = Renderer(find_fonts(), logo=logo)
    rendered = renderer.render('<html><body><img src="dossier-logo:"><img src="dossier-logo:x">'
                               '</body></html>')
    # the logo itself loads; another name under the scheme and what the SVG asks for do not
    assert set(rendered.refused) == {"dossier-logo:x", "file:///etc/passwd"}


def test_our_own_assets_are_served(renderer):
    rendered = renderer.render('<html><head><link rel="stylesheet" href="dossier-asset:print.css">'
                               '</head><body><p>页</p></body></html>')
    assert rendered.refused == ()


def test_a_missing_cjk_font_is_a_clear_error(tmp_path):
    with pytest.raises(MissingFontError) as failure:
        find_fonts(regular=str(tmp_path / "nope.ttc"))
    message = str(failure.value)
    assert "nope.ttc" in message and "apt-get install fonts-noto-cjk" in message


def test_a_renderer_leaves_no_font_copies_behind(tmp_path):
    """WeasyPrint copies our fonts (≈ 38 MB) to a temp folder; close() and a normal exit remove it."""
    renderer = Renderer(find_fonts())
    renderer.render("<html><body><p>字</p></body></html>")
    folder = renderer.font_config._folder
    assert folder is not None and folder.exists()
    renderer.close()
    assert not folder.exists()
    script = ("import sys, tempfile; from forms.pdf.fonts import find_fonts; "
              "from forms.pdf.render import Renderer; r = Renderer(find_fonts()); "
              "r.render('<p>字</p>'); print(r.font_config._folder)")
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env=env, cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert out.startswith(str(tmp_path)) and list(tmp_path.iterdir()) == []  # gone at exit


def test_the_layout_stylesheet_is_read_once_per_renderer_and_needs_no_link(monkeypatch):
    """print.css and our font rules are parsed once and given to every document."""
    from forms.pdf.fetcher import AssetFetcher

    fetched: list[str] = []
    fetch = AssetFetcher.fetch
    monkeypatch.setattr(AssetFetcher, "fetch",
                        lambda self, url, headers=None: fetched.append(url) or fetch(self, url, headers))
    renderer = Renderer(find_fonts())
    texts = [pdf_text(renderer.render(f"<html><body><p>第{n}份</p></body></html>").pdf) for n in (1, 2)]
    assert all("第 1 页，共 1 页" in text for text in texts)  # print.css's page footer, not linked
    assert fetched.count("dossier-asset:print.css") == 1


def test_the_renderer_is_imported_without_the_application_or_weasyprint():
    """A fresh process printing one handout pays for WeasyPrint and its first render, not for the
    web application around the renderer (the forms package wires it in init_app) — ~0.7 s."""
    script = ("import sys, forms.pdf.render, forms.pdf.fonts; "
              "print(' '.join(m for m in ('flask', 'sqlalchemy', 'archive', 'search', 'weasyprint') "
              "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert out == ""
