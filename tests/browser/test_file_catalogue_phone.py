"""The 归档文件目录 page at phone width (390 px) in Chinese and English, in a real Chromium: the
items as cards (nothing runs off the side, no cell squeezed), the transfers listed below with
their manifest's SHA-256 wrapping inside the screen, no serious axe finding; the printed PDF and
the CSV are what the page's links serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.support.filed_items import NAME, file_items
from tests.support.journeys import assert_accessible, download, signed_in
from tests.support.page_width import MEASURE, PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "links"), [("zh-CN", ("打印（PDF）", "下载 CSV")),
                                               ("en", ("Print (PDF)", "Download as CSV"))])
def test_the_item_catalogue_fits_a_phone(app: Flask, live_server, new_page, artifacts, tmp_path: Path,  # type: ignore[no-untyped-def]
                                         locale: str, links: tuple[str, str]) -> None:
    filed = file_items(app)
    out = tmp_path / "transfer"
    result = app.test_cli_runner().invoke(args=["archive", "transfer", "--year", "2026", "--out", str(out),
                                                "--by", "archivist"])
    assert result.exit_code == 0, result.output
    page = signed_in(new_page, live_server, "archivist", locale, PHONE)
    page.goto(f"{live_server}/archive/catalogue/items?year=2026")
    page.screenshot(path=str(artifacts / f"phone-{locale}-file-catalogue.png"), full_page=True)
    found = page.evaluate(MEASURE)
    assert found["wide"] <= found["inner"] and not found["squeezed"], found
    text = page.locator("main").inner_text()
    assert all(code in text for code in filed.all) and NAME not in text
    assert_accessible(page, f"file catalogue {locale}")
    page.goto(f"{live_server}/archive/catalogue/items?year=abc&retention=X")  # refused, named
    assert page.locator(".error-summary a").count() == 2
    for href in page.locator(".error-summary a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1  # each message leads to its field
    assert_accessible(page, f"file catalogue refused {locale}")
    page.goto(f"{live_server}/archive/catalogue/items?year=2026&retention=D100&organisation=ABCDEFGH")
    clipped = page.evaluate("""['year', 'retention', 'organisation'].map(id => document.getElementById(id))
        .filter(e => e.scrollWidth > e.clientWidth)
        .map(e => [e.id, e.value, e.scrollWidth, e.clientWidth])""")
    assert clipped == [], f"filters whose code is cut off (beside the datalist's picker): {clipped}"
    page.goto(f"{live_server}/archive/catalogue/items?year=2026")
    pdf = download(page, links[0])
    assert pdf.startswith(b"%PDF")
    assert filed.sales in download(page, links[1]).decode("utf-8-sig")
