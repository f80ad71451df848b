"""Defects found by walking the served app as each role (issue 15): each test fails on the
defect as it was found."""

from __future__ import annotations

from tests.support.instance import csrf_token


def test_the_error_summary_follows_the_page_order_whatever_the_problems(logged_in):
    """A too-long name and a negative count (found by the schema) were listed before an
    impossible date and a bad phone (found reading the input), so the summary jumped up and down
    the page. It now lists every problem as the fields stand on the page."""
    client = logged_in("clerk")
    page = client.get("/forms/CP/new", headers={"Accept-Language": "zh-CN"})
    response = client.post("/forms/CP/new", headers={"Accept-Language": "zh-CN"}, data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-02-30 25:61", "customer_name": "名" * 300, "phone": "12345",
        "quantity": "abc", "delivery_date": "2026/13/01", "defective_quantity": "-5",
        "complaint": "长" * 5000})
    assert response.status_code == 422
    summary = response.text.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    order = ("received_at", "customer_name", "phone", "quantity", "delivery_date",
             "defective_quantity", "complaint")
    links = [summary.index(f'href="#{name}"') for name in order]
    assert links == sorted(links), summary
