"""Complaint (CP) deadlines as tests expect them, and records filed under the wall-clock CP v5.

The shipped CP (v6) counts its 5/8/12 hours in working time on the office calendar, so a test
does not add hours to the receipt time by hand: :func:`complaint_due` asks
:func:`forms.deadlines.due_at` with the shipped spec on the shipped calendar (what a fresh test
instance runs on: it has no office rows). A fresh instance registers only v6; an instance that
existed before has v5 in its database, and its complaints keep v5's wall-clock rule:
:func:`submit_under_v5` makes such a record through the real submission service.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import update

from core.web import services
from forms import versions
from forms.deadlines import due_at
from forms.models import FormVersion
from forms.spec.library import load_or_fail
from forms.spec.model import FormSpec
from forms.spec.parser import parse_spec
from forms.submission import submit
from forms.working_time import default_calendar
from tests.support.instance import actor_of

V5_PATH = Path(__file__).parent / "specs" / "CP-v5.toml"


def shipped_cp() -> FormSpec:
    """The complaint form as forms/specs ships it (a fresh instance's only CP version)."""
    return load_or_fail()["CP"]


def complaint_due(received_at: datetime, level: str | None = None) -> datetime:
    """When the shipped CP makes a complaint received at ``received_at`` due (UTC): ``level``'s
    hours, level 1's until it is classified, counted on the shipped office calendar."""
    data: dict[str, Any] = {"received_at": received_at.isoformat(), **({"level": level} if level else {})}
    due = due_at(shipped_cp(), data, calendar=default_calendar())
    assert due is not None
    return due


def received_late(now: datetime, margin: timedelta = timedelta(minutes=10)) -> datetime:
    """The latest whole hour, six or more hours before ``now``, at which an unclassified complaint
    received is past its deadline by ``margin`` at ``now`` (the test's own running time): six
    wall-clock hours were always late on the wall clock, but on working hours six hours before
    10:00 is 04:00, due at 14:00. For tests on the system clock, whatever the day."""
    received = now - timedelta(hours=6)
    while complaint_due(received) >= now - margin:
        received -= timedelta(hours=1)
    return received


def v5_spec() -> FormSpec:
    """CP v5, the last version counting wall-clock hours (tests/support/specs/CP-v5.toml)."""
    return parse_spec(tomllib.loads(V5_PATH.read_text(encoding="utf-8")), str(V5_PATH))


def submit_under_v5(app: Flask, data: dict[str, Any], username: str = "clerk") -> str:
    """A complaint submitted while v5 was the newest approved CP; its code.

    An upgraded instance approved v5 long before v6. The test instance has v6 approved already,
    so v5 is registered and approved, v6 is put back to pending for the one submission (the
    state it had before an admin approved it) and approved again through the service after."""
    spec = v5_spec()
    with app.app_context():
        s = services()
        admin = actor_of(app, "admin")
        versions.register_specs(s.db, s.clock, {"CP": spec})
        versions.approve(s.db, s.clock, admin, "CP", spec.version)
        newer = [v.version for v in versions.list_versions(s.db)
                 if v.form_code == "CP" and v.version > spec.version]
        with s.db.transaction() as session:
            session.execute(update(FormVersion).where(FormVersion.form_code == "CP",
                                                      FormVersion.version.in_(newer))
                            .values(status=FormVersion.PENDING, approved_at=None, approved_by_id=None))
        try:
            record = submit(s.db, s.clock, s.zone, actor_of(app, username), "CP", data)
        finally:
            for version in newer:
                versions.approve(s.db, s.clock, admin, "CP", version)
    assert record.form_version == spec.version
    return record.code
