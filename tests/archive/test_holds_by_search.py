"""Records join a legal hold by search: the archivist searches on the hold's page, sees what
the search finds (masked as they may read it), and adds all of it at once — or is told to
narrow a search that finds nothing, too much, or cannot be read."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from tests.support.instance import VALID_CP, csrf_token
from tests.support.lifecycle import new_complaint, work_outbox


def _hold(archivist) -> str:  # type: ignore[no-untyped-def]
    page = archivist.get("/archive/holds")
    made = archivist.post("/archive/holds", data={"csrf_token": csrf_token(page.text), "name": "诉讼 2026-17",
                                                  "reason": "客户起诉", "owner": "archivist"})
    assert made.status_code == 302
    return str(made.headers["Location"])


def test_an_archivist_adds_every_record_a_search_finds(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    wanted = [new_complaint(app, complaint=f"涂层起泡，第{n}次") for n in range(3)]
    other = new_complaint(app, complaint="包装破损")
    work_outbox(app)
    archivist = logged_in("archivist")
    hold_url = _hold(archivist)

    preview = archivist.get(f"{hold_url}?q=起泡&form=CP")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "找到 3 条记录" in text
    assert all(code in text for code in wanted) and other not in text.split("找到")[1]
    assert VALID_CP["customer_name"] not in text  # hits are masked as the archivist reads them

    added = archivist.post(hold_url, data={"csrf_token": csrf_token(text), "step": "add_found",
                                           "q": "起泡", "form": "CP"})
    assert added.status_code == 302
    held = archivist.get(hold_url).get_data(as_text=True).split("按编号加入记录")[0]
    assert all(code in held for code in wanted) and other not in held
    with app.app_context(), services().db.reading() as session:
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "hold.add")).one()
    assert detail["codes"] == sorted(wanted) and detail["via"].startswith("search ")


def test_a_search_that_finds_nothing_or_cannot_be_read_adds_nothing(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    new_complaint(app)
    work_outbox(app)
    archivist = logged_in("archivist")
    hold_url = _hold(archivist)
    page = archivist.get(hold_url).get_data(as_text=True)

    nothing = archivist.post(hold_url, data={"csrf_token": csrf_token(page), "step": "add_found",
                                             "q": "不存在的词语"})
    assert nothing.status_code == 400 and "搜索没有找到记录" in nothing.get_data(as_text=True)
    bad = archivist.get(f"{hold_url}?q=划痕&year=20x6")
    assert bad.status_code == 400 and "年度" in bad.get_data(as_text=True)
    assert "诉讼 2026-17" in bad.get_data(as_text=True)  # the hold page, with the problem on it
    bad_post = archivist.post(hold_url, data={"csrf_token": csrf_token(page), "step": "add_found",
                                              "from": "2026-13-01"})
    assert bad_post.status_code == 400
    assert "暂无记录" in archivist.get(hold_url).get_data(as_text=True)


def test_only_keepers_add_by_search(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    work_outbox(app)
    hold_url = _hold(logged_in("archivist"))
    auditor = logged_in("auditor")
    page = auditor.get(hold_url).get_data(as_text=True)
    refused = auditor.post(hold_url, data={"csrf_token": csrf_token(page), "step": "add_found", "q": "划痕"})
    assert refused.status_code == 403
    assert code not in logged_in("archivist").get(hold_url).get_data(as_text=True).split("按编号加入记录")[0]
