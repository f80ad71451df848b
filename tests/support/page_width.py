"""Measuring a page at phone width in a real browser: whether anything runs off the side and
which table cells are squeezed to a character or two (issue 15), and signing in for it."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.instance import PASSWORD

PHONE = {"width": 390, "height": 844}

#: The narrowest a table cell with some text may be, in CSS pixels: two CJK characters and a bit.
MIN_CELL = 40

MEASURE = """() => {
  const narrowest = MIN_CELL;
  const wide = document.documentElement.scrollWidth;
  const squeezed = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const head = cell.closest("thead");  // headings kept for screen readers only (cards) are 1 px
    if (head && head.getBoundingClientRect().width <= 1) continue;
    const box = cell.getBoundingClientRect();
    const text = cell.innerText.trim();
    if (box.width > 0 && text.length >= 3 && box.width < narrowest) {
      squeezed.push([text.slice(0, 20), Math.round(box.width)]);
    }
  }
  return {wide, inner: window.innerWidth, squeezed};
}""".replace("MIN_CELL", str(MIN_CELL))


def sign_in(page: Page, base: str, username: str) -> None:
    """Through the login page; waits for the form list with the page's own timeout."""
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit].button").click()
    page.wait_for_url(f"{base}/forms")
