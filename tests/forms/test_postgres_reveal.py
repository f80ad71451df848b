"""Masking and revealing personal data on a real PostgreSQL server: the RS filing list masks the
policyholder for the auditor, a reveal is audited with its reason and listed for the auditor
(the audit detail is JSON read back from PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.web import services
from forms.submission import submit
from tests.support.instance import actor_of, csrf_token, login
from tests.support.samples import RS_DATA

pytestmark = pytest.mark.postgres


def test_masking_and_a_reveal_on_postgresql(pg_app, clock):  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    with pg_app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(pg_app, "clerk"), "RS",
                      {**RS_DATA, "policyholder": "诸葛明远"}).code
    auditor = pg_app.test_client()
    login(auditor, "auditor")
    filing = auditor.get("/filing/RS?month=2026-03").text
    assert code in filing and "诸***" in filing and "诸葛明远" not in filing
    form = auditor.get(f"/records/{code}/reveal").text
    shown = auditor.post(f"/records/{code}/reveal",
                         data={"csrf_token": csrf_token(form), "reason": "核对来信"})
    assert shown.status_code == 200 and "诸葛明远" in shown.text
    listed = auditor.get("/audit/reveals").text
    assert code in listed and "核对来信" in listed and "2026-03-02 09:30" in listed
