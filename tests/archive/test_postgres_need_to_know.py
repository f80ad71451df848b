"""Need-to-know on PostgreSQL: the reason's lookup, the reads counted with their audit events,
and the report's grouping (count, distinct records, first and last read) on the real server."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from flask import Flask

from core.auth import accounts
from core.web import services
from tests.support.instance import csrf_token, login
from tests.support.lifecycle import submit_cp

pytestmark = pytest.mark.postgres


def test_the_rule_and_the_report_on_postgres(pg_app: Flask) -> None:
    pg_app.config["NEED_TO_KNOW"] = "session"  # read per request: the product's default
    codes = [submit_cp(pg_app) for _ in range(3)]
    admin = pg_app.test_client()
    login(admin, "admin")
    form = admin.get(f"/records/{codes[0]}")
    assert form.status_code == 403
    stated = admin.post("/need-to-know/reason", data={
        "csrf_token": csrf_token(form.text), "code": codes[0], "next": f"/records/{codes[0]}",
        "reason": "年度合规抽查"})
    assert stated.status_code == 302
    assert [admin.get(f"/records/{c}").status_code for c in codes + codes[:1]] == [200] * 4
    with pg_app.app_context():
        token = accounts.create_token(services().db, services().clock, "auditor", "pg")
    api = pg_app.test_client().get(f"/api/v1/records/{codes[2]}", headers={
        "Authorization": f"Bearer {token}", "X-Dossier-Reason": quote("核对回复时限", safe="")})
    assert api.status_code == 200
    sheet = admin.get("/audit/need-to-know.csv?from=2026-03-02&to=2026-03-02")
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("admin", "年度合规抽查", "4", "3"), ("auditor", "核对回复时限", "1", "1")]
