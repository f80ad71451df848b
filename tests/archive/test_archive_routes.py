"""The archive's HTML pages have one URL map (archive/routes.py), read their input through the
WTForms classes of archive/page_forms.py, and try a posted form against its service in one way
(archive.page_actions.try_form): a refusal named beside its field, what was typed kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from wtforms import StringField

from archive import routes
from archive.page_actions import Outcome, try_form, try_step
from archive.page_forms import ApproveForm, RejectForm, Text
from core.problems import FieldProblems
from tests.support.instance import csrf_token

ARCHIVE = Path(routes.__file__).parent
#: The archive's JSON APIs: their own blueprints (part of the API, not of the pages' map).
API_MODULES = {"api.py", "archive_api.py", "office_api.py"}


def test_every_archive_page_is_in_the_one_url_map(app: Flask) -> None:
    pages = [rule for rule in app.url_map.iter_rules()
             if app.view_functions[rule.endpoint].__module__.startswith("archive.")
             and not rule.rule.startswith("/api/")]
    assert pages and {rule.endpoint.split(".")[0] for rule in pages} == {routes.bp.name}
    assert {"/verify/<code>", "/admin/retention/<code>", "/archive/", "/archive/holds/<int:hold_id>",
            "/archive/disposal/<int:list_id>", "/archive/review"} <= {rule.rule for rule in pages}
    routing = re.compile(r"add_url_rule\(|@\w+\.(route|get|post)\(|Blueprint\(")
    for module in sorted(ARCHIVE.glob("*.py")):
        if module.name not in API_MODULES | {"routes.py"}:
            assert not routing.search(module.read_text(encoding="utf-8")), module.name


def test_the_pages_read_no_posted_field_by_hand() -> None:
    """No archive module reads a posted field by hand: a page's input comes through its WTForms
    class in archive/page_forms.py (every module checked, so a new page module is too)."""
    modules = sorted(ARCHIVE.glob("*.py"))
    assert {"views.py", "office_views.py", "hold_views.py", "admin_views.py"} <= {m.name for m in modules}
    for module in modules:
        assert "request.form" not in module.read_text(encoding="utf-8"), module.name


class _Named(FlaskForm):
    name = StringField(validators=[Text("Name it.")])


def _never() -> str:
    raise AssertionError("the service is not called")


def test_a_form_is_tried_once_valid_and_a_refusal_names_its_field(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/x"):
        assert try_form(_Named(), _never) == Outcome()  # only shown
    with app.test_request_context("/x", method="POST", data={"name": " "}):
        assert try_form(_Named(), _never) == Outcome(errors={"name": "Name it."})
    with app.test_request_context("/x", method="POST", data={"name": "x"}):
        def refuse() -> str:
            raise FieldProblems({"name": "Taken."})
        assert try_form(_Named(), refuse) == Outcome(errors={"name": "Taken."})
        assert try_form(_Named(), lambda: "done") == Outcome(accepted=True, done="done")


@pytest.mark.parametrize("step", ["approve", "reject", "nothing"])
def test_of_a_pages_step_forms_only_the_one_sent_is_tried(app: Flask, step: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/x", method="POST", data={"step": step, "reason": "no"}):
        taken = try_step((ApproveForm(), RejectForm()),
                         {"approve": lambda: "approved", "reject": lambda: "rejected"})
    expected = {"approve": Outcome(True, "approved", step="approve"),
                "reject": Outcome(True, "rejected", step="reject"), "nothing": Outcome()}
    assert taken == expected[step]


def test_a_refused_hold_keeps_what_was_typed(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist")
    page = archivist.get("/archive/holds").text
    refused = archivist.post("/archive/holds", data={"csrf_token": csrf_token(page), "name": "",
                                                     "reason": "客户起诉 <b>", "owner": "clerk"})
    assert refused.status_code == 400
    assert 'aria-describedby="reason-error"' not in refused.text  # only the name is refused
    assert ">客户起诉 &lt;b&gt;</textarea>" in refused.text
    assert '<option value="clerk" selected>' in refused.text
    assert '<option value="archivist" selected>' not in refused.text
