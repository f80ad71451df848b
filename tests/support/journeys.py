"""What the journey tests (tests/browser/test_journey_*.py) share: a clock that is the system's
clock but can be moved on (a grant's end is days away), the checks every visited page gets
(axe, no sideways scrolling, a screenshot), and the archival run that files a record.

Signing in and the axe check are every browser test's: they import them from here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from tests.support.instance import PASSWORD
from tests.support.lifecycle import work_outbox

__all__ = ["MovedSystemClock", "assert_accessible", "check", "download", "file_records", "sign_in",
           "signed_in", "take"]

AXE = Axe()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class MovedSystemClock:
    """The system clock (it runs, and carries microseconds) plus an offset a test can move on,
    for the parts of a journey that are days apart (an access grant running out)."""

    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


def assert_accessible(page: Page, what: str) -> None:
    """No serious or critical axe-core violations."""
    violations = AXE.run(page).response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    described = "\n".join(f"{v['impact']}: {v['id']} — {v['help']} "
                          f"({[n['target'] for n in v['nodes']][:3]})" for v in bad)
    assert not bad, f"{what}:\n{described}"


def sign_in(page: Page, base: str, username: str = "clerk") -> None:
    """Through the login page, as a person does; lands on the form list."""
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit].button").click()
    expect(page).to_have_url(f"{base}/forms")


def check(page: Page, artifacts: Path, name: str) -> None:
    """What every page a journey visits must pass: axe (no serious or critical violation) and no
    sideways scrolling at the page's width; a full-page screenshot to look at afterwards."""
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow} px wider than the window"
    assert_accessible(page, name)


def signed_in(new_page: Callable[[str], Page], base: str, who: str, locale: str,
              size: dict[str, int]) -> Page:
    """A fresh browser context in ``locale`` at ``size``, signed in as ``who`` on the login page."""
    page = new_page(locale)
    page.set_viewport_size(size)  # type: ignore[arg-type]
    sign_in(page, base, who)
    return page


def download(page: Page, link: str) -> bytes:
    """What the link named ``link`` on the page serves (a PDF), fetched with the page's session."""
    href = page.get_by_role("link", name=link, exact=True).get_attribute("href")
    assert href, f"no link {link!r}"
    origin = "/".join(page.url.split("/", 3)[:3])
    response = page.request.get(origin + href)
    assert response.ok, f"{link}: {response.status}"
    return response.body()


def take(page: Page, action: str) -> None:
    """Open an action from the record page's "what you can do" links."""
    page.locator("main").get_by_role("link", name=action, exact=True).click()
    expect(page.locator("h1")).to_have_text(action)


def file_records(app: Flask) -> str:
    """One pass of the outbox worker, as `serve` runs it: archival copies stored, records filed."""
    output = work_outbox(app)
    assert re.search(r"Outbox: [1-9]\d* done, 0 failed\.", output), output
    return output
