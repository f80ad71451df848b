"""The records office's pages over HTTP: the filing queue, the catalogue and its CSV, a hold,
a destruction list from proposal to execution — with CSRF, and refused to other roles."""

from __future__ import annotations

from flask import Flask

from core.clock import FrozenClock
from tests.support.instance import csrf_token
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, new_complaint, work_outbox


def test_an_archivist_holds_proposes_and_an_admin_approves_then_execution(app: Flask, logged_in,  # type: ignore[no-untyped-def]
                                                                          clock: FrozenClock,
                                                                          token_for) -> None:
    held, gone = new_complaint(app), new_complaint(app)
    for code in (held, gone):
        close_complaint(app, code)
    work_outbox(app)
    archivist, admin = logged_in("archivist"), logged_in("admin")
    catalogue = archivist.get("/archive/catalogue?form=CP&year=2026")
    assert held in catalogue.text and gone in catalogue.text
    csv_text = archivist.get("/archive/catalogue?form=CP&year=2026&format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith(f"1,{held},") and "2029-12-31" in csv_text
    assert archivist.get("/archive/catalogue?year=20x6").status_code == 400

    page = archivist.get("/archive/holds")
    made = archivist.post("/archive/holds", data={"csrf_token": csrf_token(page.text), "name": "",
                                                  "reason": "", "owner": "archivist"})
    assert made.status_code == 400 and "名称须为 1 到" in made.get_data(as_text=True)
    assert 'id="name" name="name" aria-invalid="true" aria-describedby="name-error"' in made.text
    assert '<p class="error" id="name-error">' in made.text  # the error is read with its field
    made = archivist.post("/archive/holds", data={"csrf_token": csrf_token(page.text), "name": "诉讼",
                                                  "reason": "客户起诉", "owner": "archivist"})
    hold_url = made.headers["Location"]
    archivist.post(hold_url, data={"csrf_token": csrf_token(page.text), "step": "add", "codes": held})
    assert held in archivist.get(hold_url).text

    clock.advance(days=DAYS_TO_2030)
    due = archivist.get("/archive/disposal")
    assert gone in due.text and held not in due.text.split("Destruction lists")[0]
    proposed = archivist.post("/archive/disposal", data={"csrf_token": csrf_token(due.text), "code": [gone],
                                                         "note": "到期"})
    list_url = proposed.headers["Location"]
    approved = admin.post(list_url, data={"csrf_token": csrf_token(admin.get(list_url).text),
                                          "step": "approve"})
    assert approved.status_code == 302
    early = archivist.post(list_url, data={"csrf_token": csrf_token(due.text), "step": "execute"})
    assert early.status_code == 400 and "请先指定两名监销人" in early.get_data(as_text=True)
    named = archivist.post(list_url, data={"csrf_token": csrf_token(due.text), "step": "witnesses",
                                           "witness_1": "auditor", "witness_2": "admin"})
    assert named.status_code == 302
    for witness in (logged_in("auditor"), admin):  # each confirms as themselves, on the page
        confirmed = witness.post(list_url, data={"csrf_token": csrf_token(witness.get(list_url).text),
                                                 "step": "confirm"})
        assert confirmed.status_code == 302
    executed = archivist.post(list_url, data={"csrf_token": csrf_token(due.text), "step": "execute"})
    assert executed.status_code == 302
    shown = archivist.get(list_url).get_data(as_text=True)
    assert "已执行" in shown and "DD-2030-000001" in shown
    tombstone = archivist.get(f"/records/{gone}")
    assert tombstone.status_code == 410 and f"{gone} 已销毁" in tombstone.get_data(as_text=True)
    api = app.test_client().get(f"/api/v1/records/{gone}", headers=token_for("clerk"))
    assert api.status_code == 410 and "destroyed" in api.json["error"]
    assert api.json["tombstone"]["code"] == gone and api.json["tombstone"]["approved_by"] == "admin"
    never = app.test_client().get("/api/v1/records/CP-2026-999999", headers=token_for("clerk"))
    assert never.status_code == 404


def test_other_roles_are_refused_and_posts_need_csrf(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    for path in ("/archive/", "/archive/catalogue", "/archive/holds", "/archive/disposal", "/archive/review",
                 "/archive/tombstones", "/archive/tombstones?year=x", "/archive/catalogue?year=x",
                 "/archive/holds/999", "/archive/disposal/999"):
        assert clerk.get(path).status_code == 403, path
    archivist = logged_in("archivist")
    assert archivist.post("/archive/holds", data={"name": "无令牌冻结", "reason": "y", "owner": "archivist"}
                          ).status_code in (200, 400)  # no CSRF token: nothing is created
    assert "无令牌冻结" not in archivist.get("/archive/holds").get_data(as_text=True)
