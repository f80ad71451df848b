"""The RS monthly filing a page at a time (issue 16: a month of a big office holds thousands of
registers): each page continues the filing order and its numbering, a page past the end leads to
the last one, each page is audited with the codes it shows, the policyholder stays masked for
whoever does not need it, and the printed catalogue still lists the whole month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from forms import renewal_filing
from tests.support.pdf import text_of
from tests.support.samples import register_rs

MONTH = "2026-03"
NAMES = ("赵一", "钱二", "孙三", "李四", "周五")


@pytest.fixture
def five_registers(client, clock, token_for, monkeypatch):  # type: ignore[no-untyped-def]
    """Five registers handed in in March (two a page), in filing order."""
    monkeypatch.setattr(renewal_filing, "PER_PAGE", 2)
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    clerk = token_for("clerk")
    made = {name: register_rs(client, clerk, lapse_date=f"2026-02-{24 - i}", policyholder=name)
            for i, name in enumerate(NAMES)}  # handed in against filing order
    return [made[name] for name in reversed(NAMES)]


def listed_codes(app) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.list"))
        return [d for d in details if str(d.get("filing", "")).startswith("RS")]


def test_page_two_continues_the_filing_order_and_is_audited_with_its_codes(app, five_registers, logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    first = clerk.get(f"/filing/RS?month={MONTH}").text
    second = clerk.get(f"/filing/RS?month={MONTH}&page=2", headers={"Accept-Language": "en"}).text
    assert [c in first for c in five_registers] == [True, True, False, False, False]
    assert [c in second for c in five_registers] == [False, False, True, True, False]
    assert second.index(five_registers[2]) < second.index(five_registers[3])
    assert '<td data-label="#">3</td>' in second and '<td data-label="#">4</td>' in second
    assert "Page 2 of 3" in second and "5 records" in second and 'rel="prev"' in second
    assert listed_codes(app)[-1] == {"filing": "RS 2026-03", "codes": five_registers[2:4], "page": 2}


def test_a_page_past_the_end_leads_to_the_last(five_registers, logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    answer = clerk.get(f"/filing/RS?month={MONTH}&page=99")
    assert answer.status_code == 302 and answer.location.endswith(f"month={MONTH}&page=3")
    last = clerk.get(answer.location).text
    assert five_registers[4] in last and 'rel="next"' not in last
    assert clerk.get(f"/filing/RS?month={MONTH}&page=x").status_code == 200  # the first page


def test_each_page_masks_the_policyholder_for_the_records_office(five_registers, logged_in):  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist").get(f"/filing/RS?month={MONTH}&page=2").text
    clerk = logged_in("clerk").get(f"/filing/RS?month={MONTH}&page=2").text
    shown = list(reversed(NAMES))[2:4]  # the policyholders of the third and fourth
    assert all(name in clerk for name in shown)
    assert not any(name in archivist for name in shown) and all(name[0] + "*" in archivist for name in shown)


def test_the_api_pages_and_the_catalogue_lists_the_whole_month(client, five_registers, token_for,  # type: ignore[no-untyped-def]
                                                               logged_in, monkeypatch):
    from forms import report_api
    monkeypatch.setattr(report_api, "API_PER_PAGE", 2)
    clerk = token_for("clerk")
    answer = client.get(f"/api/v1/filing/RS?month={MONTH}&page=3", headers=clerk).json
    assert (answer["page"], answer["pages"], answer["total"]) == (3, 3, 5)
    assert [(e["code"], e["number"]) for e in answer["entries"]] == [(five_registers[4], 5)]
    assert client.get(f"/api/v1/filing/RS?month={MONTH}&page=0", headers=clerk).status_code == 400
    text = text_of(logged_in("clerk").get(f"/filing/RS.pdf?month={MONTH}").data)
    assert "共 5 份" in text and all(code in text for code in five_registers)
