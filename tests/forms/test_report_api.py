"""The office's period lists over the API (issue 15, item 13): weekly complaint statistics, the
RS monthly filing and the archive's filing queue — the pages' services, scope, masking, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.parser import load_spec_file
from tests.support.instance import VALID_CP
from tests.support.lifecycle import close_complaint, new_complaint
from tests.support.samples import RS_DATA
from tests.support.spec_files import spec_dir_with

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _lists(app) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.list")))


def test_complaint_statistics_count_what_the_user_may_see_with_overdue_now(client, clock, token_for):  # type: ignore[no-untyped-def]
    for _ in range(2):
        client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    client.post("/api/v1/records", headers=token_for("sales"), json={"form": "CP", "data": VALID_CP})
    clock.current = datetime(2026, 3, 4, 1, 30, 0, 5, tzinfo=UTC)  # past the strictest deadline
    boss = client.get("/api/v1/stats/complaints?weeks=2", headers=token_for("supervisor"))
    assert boss.status_code == 200 and boss.json["total"] == 2 and boss.json["overdue"] == 2
    assert len(boss.json["weeks"]) == 2 and boss.json["weeks"][-1]["total"] == 2
    assert client.get("/api/v1/stats/complaints", headers=token_for("admin")).json["total"] == 3
    assert client.get("/api/v1/stats/complaints?weeks=0", headers=token_for("admin")).status_code == 400
    assert client.get("/api/v1/stats/complaints").status_code == 401


def test_the_renewal_filing_lists_the_month_masked_where_not_needed(app, client, token_for):  # type: ignore[no-untyped-def]
    made = client.post("/api/v1/records", headers=token_for("admin"), json={"form": "RS", "data": RS_DATA})
    assert made.status_code == 201, made.json
    code = made.json["code"]
    listed = client.get("/api/v1/filing/RS?month=2026-03", headers=token_for("admin")).json
    assert listed["month"] == "2026-03" and code in [e["code"] for e in listed["entries"]]
    archivist = client.get("/api/v1/filing/RS", headers=token_for("archivist")).json["entries"]
    assert archivist and RS_DATA["policyholder"] not in str(archivist)  # masked for the records office
    assert client.get("/api/v1/filing/RS?month=March", headers=token_for("admin")).status_code == 400
    assert any("codes" in d and code in d["codes"] for d in _lists(app))


def test_the_filing_queue_is_the_records_offices(app, client, token_for):  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    close_complaint(app, code, countersign=False)
    queue = client.get("/api/v1/archive/filing-queue", headers=token_for("archivist"))
    assert queue.status_code == 200
    waiting = {r["code"]: r for r in queue.json["records"]}
    assert waiting[code]["needs_countersign"] is True and VALID_CP["customer_name"] not in str(queue.json)
    assert client.get("/api/v1/archive/filing-queue", headers=token_for("clerk")).status_code == 403
    assert any(d.get("list") == "filing-queue" for d in _lists(app))


def test_an_admin_lists_and_approves_form_versions(app, client, token_for, tmp_path):  # type: ignore[no-untyped-def]
    directory = spec_dir_with(tmp_path, "AR", ("version = 4", "version = 5"))
    with app.app_context():
        versions.register_specs(services().db, services().clock,
                                {"AR": load_spec_file(directory / "AR.toml")})
    admin, archivist = token_for("admin"), token_for("archivist")
    listed = client.get("/api/v1/form-versions", headers=admin)
    assert listed.status_code == 200
    assert {"form": "AR", "version": 5, "status": "pending"}.items() <= next(
        v for v in listed.json["versions"] if v["form"] == "AR" and v["version"] == 5).items()
    assert client.get("/api/v1/form-versions", headers=archivist).status_code == 403
    assert client.post("/api/v1/form-versions/AR/5/approve", headers=archivist).status_code == 403
    assert client.post("/api/v1/form-versions/AR/9/approve", headers=admin).status_code == 404
    approved = client.post("/api/v1/form-versions/ar/5/approve", headers=admin)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert client.get("/api/v1/forms/AR", headers=admin).json["version"] == 5
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(AuditEvent.object_id).where(
            AuditEvent.action == "form_version.approve").order_by(AuditEvent.seq.desc())) == "AR v5"
