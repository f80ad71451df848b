"""Defects found by walking the served app as each role (issue 15): each test fails on the
defect as it was found."""

from __future__ import annotations

from flask import Flask

from tests.support.lifecycle import submit_cp, work_outbox


def test_a_search_page_past_the_end_leads_to_the_last_page(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    """/search?q=CP-2026-&page=999 said "2 records found" and "Nothing matches. Try fewer
    words…" on one page. A page past the end now leads to the search's last page."""
    codes = [submit_cp(app, customer_name="苏州精工", complaint="外包装破损") for _ in range(2)]
    work_outbox(app)
    clerk = logged_in("clerk")
    past = clerk.get("/search?q=CP-2026-&sort=relevance&page=999")
    assert past.status_code == 302
    assert past.headers["Location"] == "/search?q=CP-2026-&sort=relevance&page=1"
    last = clerk.get(past.headers["Location"]).text
    assert all(code in last for code in codes)
    assert clerk.get("/search?q=CP-2026-&page=1").status_code == 200
