"""The renewal registers' monthly filing: the month's records in the office zone, ordered by
lapse date then staff member, and a printed catalogue (a real PDF, read back with pdftotext)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.pdf import text_of
from tests.support.samples import register_rs


def test_the_months_registers_in_filing_order_and_their_catalogue(client, clock, token_for, logged_in):  # type: ignore[no-untyped-def]
    clerk = token_for("clerk")
    clock.current = datetime(2026, 2, 28, 16, 30, tzinfo=UTC)  # 1 March 00:30 in Shanghai
    grace = register_rs(client, clerk, policy_state="grace", policyholder="甲")
    late_staff = register_rs(client, clerk, lapse_date="2026-02-20", service_staff="supervisor",
                             policyholder="乙")
    early = register_rs(client, clerk, lapse_date="2026-02-25", policyholder="丙")
    first = register_rs(client, clerk, lapse_date="2026-02-20", service_staff="clerk", policyholder="丁")
    clock.current = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April in Shanghai: next month
    register_rs(client, clerk, lapse_date="2026-03-30", policyholder="戊")

    boss = logged_in("supervisor")
    page = boss.get("/filing/RS?month=2026-03", headers={"Accept-Language": "en"}).text
    order = [first, late_staff, early, grace]
    positions = [page.index(code) for code in order]
    assert positions == sorted(positions) and "戊" not in page

    pdf = boss.get("/filing/RS.pdf?month=2026-03")
    assert pdf.mimetype == "application/pdf"
    text = text_of(pdf.data)
    assert "案卷目录 · 客户续收服务登记表 · 2026年03月" in text and "共 4 份" in text
    lines = [text.index(code) for code in order]
    assert lines == sorted(lines) and "戊" not in text
    assert boss.get("/filing/RS?month=garbage").status_code == 200  # falls back to this month


def test_another_departments_registers_are_not_listed(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = register_rs(client, token_for("clerk"))
    assert code not in logged_in("sales_boss").get("/filing/RS?month=2026-03").text
