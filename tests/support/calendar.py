"""The office calendar in tests: a working-clock complaint version registered and approved in the
test's database (whatever the shipped CP's clock is: engineer A's v6 counts working time, v5 and
earlier the wall clock), and complaints under it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask import Flask

from core.web import services
from forms import versions
from forms.spec.library import SPEC_DIR
from forms.spec.parser import parse_spec
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of


def register_working_cp(app: Flask) -> int:
    """The shipped CP as a new version whose deadline counts working time, approved; its number."""
    raw = tomllib.loads((Path(SPEC_DIR) / "CP.toml").read_text(encoding="utf-8"))
    raw["version"] += 1
    raw["workflow"]["deadline"]["clock"] = "working"
    spec = parse_spec(raw, "CP (working clock, test)")
    with app.app_context():
        db, clock = services().db, services().clock
        versions.register_specs(db, clock, {"CP": spec})
        versions.approve(db, clock, actor_of(app, "admin"), "CP", spec.version)
    return spec.version


def working_complaint(app: Flask, received_at: str) -> str:
    """A level-less complaint (5 working hours) received at ``received_at``; its code. Call
    :func:`register_working_cp` first."""
    with app.app_context():
        s = services()
        record = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                        {**VALID_CP, "received_at": received_at})
    return record.code
