"""A filed record's 档号 on its page at phone width (390 px), in Chinese and English, in a real
Chromium: on screen whole, breaking only between its levels, nothing running off the side, no
serious axe finding; its text read back is the 档号 without the break marks. The fonds and the
organisation are set to their longest (8 characters each) so the reference is as long as one gets."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core.clock import FrozenClock
from core.web import services
from tests.support.archival import MICRO_START, archival_code_of
from tests.support.instance import make_app
from tests.support.journeys import assert_accessible, signed_in
from tests.support.lifecycle import filed_complaints
from tests.support.page_width import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def app(template_db: Path, instance_dir: Path) -> Iterator[Flask]:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    application = make_app(f"sqlite:///{database}", FrozenClock(MICRO_START), ARCHIVAL_FONDS="Q0120001",
                           ARCHIVAL_ORGANISATIONS={"CS": "KEFUZHON"})
    yield application
    with application.app_context():
        services().db.dispose()


@pytest.mark.parametrize(("locale", "label"), [("zh-CN", "档号"), ("en", "Archival reference (档号)")])
def test_the_archival_code_fits_a_phone(app, live_server, new_page, artifacts, locale, label):  # type: ignore[no-untyped-def]
    [code] = filed_complaints(app, 1)
    reference = archival_code_of(app, code)
    assert reference == "Q0120001-WS·2026-D3-KEFUZHON-0001"
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    page.goto(f"{live_server}/records/{code}")
    page.screenshot(path=str(artifacts / f"phone-{locale}-archival-code.png"), full_page=True)
    shown = page.locator("#archival-code")
    assert shown.inner_text().replace("\n", "") == reference
    assert page.locator("dt", has_text=label).count() == 1
    box = shown.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    levels = page.evaluate("""() => {
      const node = document.getElementById("archival-code");
      const tops = [];
      for (const text of node.childNodes) {
        if (text.nodeType !== Node.TEXT_NODE) continue;
        const range = document.createRange();
        range.selectNodeContents(text);
        tops.push(new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size);
      }
      return tops;
    }""")
    assert len(levels) == 5 and all(count == 1 for count in levels), levels  # no level split
    retention = page.locator("#archival-code + .hint")
    assert retention.inner_text() == ("定期3年" if locale == "zh-CN" else "3 years")
    assert retention.evaluate("node => node.getClientRects().length") == 1  # on one line
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(page, f"record page with its 档号 ({locale})")
