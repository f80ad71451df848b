"""Retention classes as data: shipped defaults, the end of a period for each way of counting,
admin changes with an audited before/after, refusals, and specs that name a missing class."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from archive.retention import ClassView, list_classes, retention_end, update_class
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from forms import versions
from forms.spec.library import SPEC_DIR
from forms.spec.parser import load_spec_file
from tests.support.html_form import form_values
from tests.support.instance import actor_of


def a_class(**changes) -> ClassView:  # type: ignore[no-untyped-def]
    values = {"code": "x", "name_zh": "甲", "name_en": "X", "years": 3, "months": 0, "trigger": "closure",
              "event_field": None, "at_year_end": True, "action": "destroy", "mandate": "m"}
    return ClassView(**{**values, **changes})


@pytest.mark.parametrize(("cls", "trigger", "end"), [
    (a_class(), date(2026, 12, 20), date(2029, 12, 31)),  # closed in December: that year's end
    (a_class(), date(2027, 1, 5), date(2030, 12, 31)),  # opened in December, closed in January
    (a_class(at_year_end=False), date(2026, 3, 2), date(2029, 3, 2)),
    (a_class(at_year_end=False, years=0, months=1), date(2026, 1, 31), date(2026, 2, 28)),
    (a_class(at_year_end=False, years=1), date(2024, 2, 29), date(2025, 2, 28)),
    (a_class(action="permanent"), date(2026, 3, 2), None),
])
def test_the_end_of_a_period(cls: ClassView, trigger: date, end: date | None) -> None:
    assert retention_end(cls, trigger) == end


def test_every_shipped_spec_names_a_shipped_class(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        codes = {c.code for c in list_classes(services().db)}
    assert {"complaint-3y", "visit-register", "renewal-register", "access-request", "permanent"} <= codes


def test_an_admin_changes_a_class_and_the_change_is_audited(app, logged_in):  # type: ignore[no-untyped-def]
    admin, english = logged_in("admin"), {"Accept-Language": "en"}
    page = admin.get("/admin/retention/visit-register", headers=english)
    values = {**form_values(page.text), "years": "4", "mandate": "改为4年"}
    assert admin.post("/admin/retention/visit-register", data=values).status_code == 302
    assert "改为4年" in admin.get("/admin/retention").text
    with app.app_context(), services().db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.update"))
        assert (event.detail["before"]["years"], event.detail["after"]["years"]) == (3, 4)

    bad = admin.post("/admin/retention/visit-register", headers=english, data={
        **values, "trigger": "event", "event_field": "", "years": "0", "months": "0"})
    assert bad.status_code == 422
    assert "Name the date field" in bad.text and "at least one month" in bad.text


def test_only_admins_change_classes(app, logged_in):  # type: ignore[no-untyped-def]
    assert logged_in("archivist").get("/admin/retention").status_code == 403
    with app.app_context(), pytest.raises(PermissionDenied):
        update_class(services().db, services().clock, actor_of(app, "archivist"), "permanent", {},
                     zone=services().zone)


def test_a_spec_naming_a_missing_class_is_not_registered(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    text = (SPEC_DIR / "AR.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version = \d+$", "version = 9",  # past whichever version ships
                  text.replace('retention = "access-request"', 'retention = "forever-ish"'), count=1)
    (tmp_path / "AR.toml").write_text(text, encoding="utf-8")
    with app.app_context():
        report = versions.register_specs(services().db, services().clock,
                                         {"AR": load_spec_file(tmp_path / "AR.toml")})
    assert report.registered == []
    assert report.problems[0].startswith("AR v9: retention class 'forever-ish' does not exist")
