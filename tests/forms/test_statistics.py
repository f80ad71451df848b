"""Weekly complaint statistics: counted per registration week in the office zone, scoped to what
the user may see, overdue rate, SVG charts with their numbers as text, and a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from tests.support.complaint_deadlines import complaint_due
from tests.support.instance import VALID_CP

CLASSIFIED = {"cause_class": "quality", "responsible_department": "CS"}


def complaint(client, clock, token_for, level: str, channel: str = "phone", answer: bool = True) -> str:  # type: ignore[no-untyped-def]
    """A complaint received now, classified, and answered at once unless ``answer`` is false."""
    data = {**VALID_CP, "channel": channel, "received_at": clock.now().isoformat()}
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": data}).json["code"]
    steps = [("classify", "supervisor", {**CLASSIFIED, "level": level})]
    if answer:
        steps += [("investigate", "clerk", {"investigation": "抽检"}),
                  ("respond", "clerk", {"root_cause": "运输", "corrective_action": "加固",
                                        "customer_reply": "已回复"})]
    for action, who, fields in steps:
        response = client.post(f"/api/v1/records/{code}/actions/{action}", headers=token_for(who),
                               json={"fields": fields})
        assert response.status_code == 200, response.json
    return str(code)


def test_weeks_levels_channels_and_overdue_rate(app, client, clock, token_for, logged_in):  # type: ignore[no-untyped-def]
    # the frozen clock: Monday 2026-03-02 09:30 in Shanghai
    complaint(client, clock, token_for, "1")
    complaint(client, clock, token_for, "2", channel="online")
    clock.advance(days=7)  # the next week
    received = clock.now()
    complaint(client, clock, token_for, "1", answer=False)
    clock.current = complaint_due(received, "1") + timedelta(microseconds=1)  # 5 working hours on
    assert "Marked 1" in app.test_cli_runner().invoke(args=["workflow", "tick"]).output

    english = {"Accept-Language": "en"}
    page = logged_in("supervisor").get("/stats/complaints?weeks=4", headers=english)
    assert page.status_code == 200
    text = page.text
    assert "2026-02-16 – 2026-03-15" in text  # four Monday-to-Sunday weeks, this one the last
    assert "<dd>3</dd>" in text and "1 (33.3%)" in text
    assert '<title id="chart-level-title">Level</title>' in text
    assert "Level 1 (within authority) 2; Level 2 (needs other departments) 1" in text
    assert "2026-03-02: registered 2, overdue 0; 2026-03-09: registered 1, overdue 1" in text

    other = logged_in("sales_boss").get("/stats/complaints?weeks=4", headers=english).text
    assert "No complaints were registered in these weeks." in other  # CS records are not theirs

    download = logged_in("supervisor").get("/stats/complaints.csv?weeks=2", headers=english)
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["week", "total", "overdue"] and "Channel: Online" in header
    assert rows[1][:3] == ["2026-03-02", "2", "0"] and rows[2][:3] == ["2026-03-09", "1", "1"]
    assert rows[1][header.index("Level: Level 1 (within authority)")] == "1"
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "stats.complaints")) == {
            "weeks": 4, "records": 3}


def test_odd_week_counts_fall_back_instead_of_failing(logged_in):  # type: ignore[no-untyped-def]
    boss = logged_in("supervisor")
    for weeks in ("abc", "0", "-3", "99999"):
        assert boss.get(f"/stats/complaints?weeks={weeks}").status_code == 200
