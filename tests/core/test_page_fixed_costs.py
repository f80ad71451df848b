"""What every page pays, paid once (issue 16): the signed-in user in one prebuilt statement, the
page's catalogue and language looked up once per page, a record's form version once per process,
templates compiled once. The pages still say the same things in both languages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

import core.i18n
from core.app import create_app
from core.auth.models import User
from core.web import services
from forms import versions
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of, csrf_token, login
from tests.support.query_plans import statements

EN = {"Accept-Language": "en"}


def test_the_page_catalogue_is_looked_up_once_per_page_in_either_language(app, monkeypatch):
    client = app.test_client()
    login(client, "clerk")
    lookups: list[str] = []
    looked_up = core.i18n.get_translations

    def counted() -> Any:
        lookups.append("catalogue")
        return looked_up()

    monkeypatch.setattr(core.i18n, "get_translations", counted)
    chinese = client.get("/forms").text
    english = client.get("/forms", headers=EN).text
    assert len(lookups) == 2  # one per page, though each page translates dozens of labels
    assert "我的记录" in chinese and "My records" not in chinese
    assert "My records" in english and "我的记录" not in english
    client.post("/language/en", data={"csrf_token": csrf_token(chinese), "next": "/forms"})
    assert "My records" in client.get("/forms").text  # the chosen language, on the next page


def test_a_records_form_version_is_read_once_per_process(app):
    with app.app_context():
        s = services()
        record = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP)
        first = versions.spec_version(s.db, "CP", record.form_version)
    with statements(app) as asked, app.app_context():
        again = versions.spec_version(services().db, "CP", record.form_version)
    assert again is first and asked == []


def test_the_signed_in_user_is_read_in_one_statement_and_a_deactivated_one_is_signed_out(app):
    client = app.test_client()
    login(client, "supervisor")
    with statements(app) as asked:
        page = client.get("/forms", headers=EN)
    assert "Supervisor" in page.text and "Customer Service" in page.text  # name · department
    assert len([sql for sql, _ in asked if "FROM users" in sql]) == 1
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(User).where(User.username == "supervisor").values(active=False))
    assert client.get("/forms").status_code == 302  # to the login page


def test_templates_are_compiled_once_in_production(instance_dir):
    production = create_app({"DATABASE_URL": f"sqlite:///{instance_dir / 'dossier.sqlite3'}"})
    assert not production.debug and production.jinja_env.auto_reload is False
