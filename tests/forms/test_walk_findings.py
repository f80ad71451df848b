"""Defects found by walking the served app as each role (issue 15): each test fails on the
defect as it was found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.instance import VALID_CP, csrf_token


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


def test_the_inbox_shows_when_an_overdue_complaint_was_due(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    """The inbox puts the overdue first but showed their deadline only while it was still ahead:
    a complaint 11 days late and one an hour late read the same, "Overdue". The row now says
    when the answer was due beside the tag."""
    received = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC) - timedelta(days=11, hours=5)
    made = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": {
        **VALID_CP, "received_at": received.isoformat()}})
    assert made.status_code == 201, made.json
    inbox = logged_in("supervisor").get("/inbox", headers={"Accept-Language": "en"}).text
    row = inbox.split(made.json["code"], 1)[1].split("</tr>", 1)[0]
    assert "Overdue" in row
    # received 04:30 on 19 February in Shanghai, in the Spring Festival: 5 working hours from
    # Tuesday 24 February 09:00 (CP v6 counts working time)
    assert "Answer due 2026-02-24 15:00" in row, row


def test_an_access_request_opens_a_record_written_short(client, token_for):  # type: ignore[no-untyped-def]
    """A clerk asked for "vr-2026-1, VR-2026-000002" (search takes vr-2026-1 for VR-2026-000001);
    the request was approved and opened only the second: the first, written short, was ignored
    without a word, and its page still said to file a request naming it. A code written short or
    in lower case now counts when its form exists; an order number shaped like a code stays text."""
    clerk, sales, admin = token_for("clerk"), token_for("sales"), token_for("admin")
    first, second = (client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP})
                     .json["code"] for _ in range(2))
    short = first.lower().replace("-00000", "-")  # cp-2026-1
    assert short == "cp-2026-1"
    data = {"applicant_department": "SALES", "purpose": "complaint", "reason": "核对",
            "records_wanted": f"{short}, {second} 客户订单 SO-2026-88417",
            "period_from": "2026-03-02", "period_to": "2026-03-03"}
    ar = client.post("/api/v1/records", headers=sales, json={"form": "AR", "data": data})
    assert ar.status_code == 201, ar.json
    approved = client.post(f"/api/v1/records/{ar.json['code']}/actions/approve", headers=admin, json={})
    assert approved.status_code == 200, approved.json
    assert client.get(f"/api/v1/records/{second}", headers=sales).status_code == 200
    assert client.get(f"/api/v1/records/{first}", headers=sales).status_code == 200


def test_a_page_past_the_end_of_a_list_leads_to_its_last_page(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    """/records?page=999 (an old link, a typed number) told a clerk with records "No records yet.
    Fill a form". It now leads to the list's last page."""
    made = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    clerk = logged_in("clerk")
    past = clerk.get("/records?page=999&scope=department")
    assert past.status_code == 302 and past.headers["Location"] == "/records?scope=department&page=1"
    assert made.json["code"] in clerk.get(past.headers["Location"]).text
    assert clerk.get("/records?page=1").status_code == 200  # the last page itself stays
