"""People and departments are shown by name wherever a person reads them (issue 15, item 9):
inbox, lists, record page and history, printed copies (the RS customer copy too), the filing
page and catalogue, the day register. Stored keys stay keys (username, department code)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import update

from core.auth.models import User
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import VALID_CP
from tests.support.pdf import text_of
from tests.support.samples import RS_DATA

NAMES = {"clerk": "王芳", "supervisor": "李建国", "sales": "赵敏"}
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def real_clock_precision(clock: FrozenClock) -> None:
    """Frozen, but with the microseconds a real clock has (09:30:00.123456 in Shanghai)."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def chinese_display_names(app: Flask) -> None:
    """Display names unlike the usernames (the test users' are the usernames title-cased)."""
    with app.app_context(), services().db.transaction() as session:
        for username, name in NAMES.items():
            session.execute(update(User).where(User.username == username).values(display_name=name))


def create(client, headers, form: str, data: dict) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=headers, json={"form": form, "data": data})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def cells(html: str) -> list[str]:
    """The text of every table cell and description on a page (tags stripped)."""
    found = re.findall(r"<(?:td|dd)[^>]*>(.*?)</(?:td|dd)>", html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def test_the_inbox_names_the_submitter(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    create(client, token_for("clerk"), "CP", VALID_CP)
    found = cells(logged_in("supervisor").get("/inbox").text)
    assert "王芳" in found and "clerk" not in found
    listed = client.get("/api/v1/inbox", headers=token_for("supervisor")).json  # the API keeps the key
    assert [t["submitted_by"] for t in listed["tasks"]] == ["clerk"], listed


def test_record_page_names_departments_users_and_the_history(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = create(client, token_for("clerk"), "CP", VALID_CP)
    response = client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"), json={
        "fields": {"cause_class": "quality", "level": "2", "responsible_department": "QA"}, "revision": 1})
    assert response.status_code == 200, response.json
    for headers, department in (({}, "质量管理部"), (EN, "Quality Management")):
        page = logged_in("clerk").get(f"/records/{code}", headers=headers).text
        found = cells(page)
        assert department in found and "QA" not in found
        assert "王芳 (clerk)" in found  # the submitter by name, the username beside it
        history = cells(page.split(' history">', 1)[1])
        people = [cell for cell in history if cell in ("王芳", "李建国", "clerk", "supervisor")]
        assert people == ["王芳", "李建国"]


def test_rs_pages_lists_and_both_printed_parts_name_the_staff_member(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = create(client, token_for("clerk"), "RS", RS_DATA)  # service_staff = "clerk"
    clerk = logged_in("clerk")
    found = cells(clerk.get(f"/records/{code}").text)
    assert "王芳" in found and "clerk" not in found  # the service staff member
    listed = cells(clerk.get("/records").text)
    assert any("王芳" in cell for cell in listed)
    for variant in ("business", "customer"):
        text = text_of(clerk.get(f"/records/{code}.pdf?variant={variant}").data)
        assert "王芳" in text and "clerk" not in text, variant
    boss = logged_in("supervisor")
    assert "王芳" in cells(boss.get("/filing/RS?month=2026-03").text)
    english = cells(boss.get("/filing/RS?month=2026-03", headers=EN).text)
    assert "Handed in" in english and "已交回" not in english  # the state in the page's language
    catalogue = text_of(boss.get("/filing/RS.pdf?month=2026-03").data)
    assert "王芳" in catalogue and "clerk" not in catalogue
    [entry] = client.get("/api/v1/filing/RS?month=2026-03", headers=token_for("supervisor")).json["entries"]
    assert (entry["staff"], entry["staff_name"]) == ("clerk", "王芳")  # the API keeps the key


def test_the_day_register_names_the_receiving_staff(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    create(client, token_for("sales"), "VR", {"visit_date": "2026-03-02", "customer_name": "周女士",
                                              "phone": "13700001111", "needs": "三居室",
                                              "receiving_staff": "sales"})
    found = cells(logged_in("sales_boss").get("/registrations/day?day=2026-03-02").text)
    assert "赵敏" in found and "sales" not in found


def test_an_unknown_key_is_shown_as_stored() -> None:
    from forms.names import Names

    names = Names({"clerk": "王芳"}, {"QA": ("质量管理部", "")})
    assert (names.user("clerk"), names.user("gone"), names.user(None)) == ("王芳", "gone", "")
    assert (names.department("QA", "en"), names.department("XX", "zh")) == ("质量管理部", "XX")


def test_records_office_pages_name_the_holds_owner(app, logged_in):  # type: ignore[no-untyped-def]
    from archive.holds import create_hold
    from tests.support.instance import actor_of

    with app.app_context(), services().db.transaction() as session:
        session.execute(update(User).where(User.username == "archivist").values(display_name="周档案"))
    with app.app_context():
        s = services()
        hold = create_hold(s.db, s.clock, actor_of(app, "archivist"), name="诉讼（恒丰）", reason="诉讼保全",
                           owner="archivist")
    archivist = logged_in("archivist")
    assert "周档案" in cells(archivist.get("/archive/holds").text)
    page = archivist.get(f"/archive/holds/{hold.id}").text
    assert "周档案" in page and ">archivist<" not in page
