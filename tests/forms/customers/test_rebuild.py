"""`flask customers rebuild` recomputes the key table from the records (after an upgrade or a
new SECRET_KEY), and a deleted record's rows go with it (the database's cascade)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, func, select

from archive.models import Record, RecordRevision
from core.web import services
from forms.customers.keys import key_of
from forms.customers.linking import linked_codes
from forms.customers.models import CustomerKeyRow
from tests.support.lifecycle import new_complaint


def _codes(app: Flask) -> list[str]:
    with app.app_context(), services().db.reading() as session:
        return list(linked_codes(session, [key_of("phone", "13800138000")]))


def test_rebuild_after_a_new_secret_key_links_the_records_again(app: Flask) -> None:
    codes = sorted([new_complaint(app), new_complaint(app, phone="+8613800138000")])
    app.config["SECRET_KEY"] = "a new secret for this instance"
    assert _codes(app) == []  # the old digests no longer match
    result = app.test_cli_runner().invoke(args=["customers", "rebuild"])
    assert result.exit_code == 0 and "2 records linked again" in result.output, result.output
    assert _codes(app) == codes


def test_init_links_the_records_of_an_upgraded_instance(app: Flask) -> None:
    code = new_complaint(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(delete(CustomerKeyRow))  # as stored before migration 0025
    assert _codes(app) == []
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    assert _codes(app) == [code]


def test_a_deleted_record_keeps_no_key_rows(app: Flask) -> None:
    gone, kept = new_complaint(app), new_complaint(app)
    with app.app_context(), services().db.transaction() as session:
        record_id = session.scalar(select(Record.id).where(Record.code == gone))
        session.execute(delete(RecordRevision).where(RecordRevision.record_id == record_id))
        session.execute(delete(Record).where(Record.id == record_id))
    assert _codes(app) == [kept]
    with app.app_context(), services().db.reading() as session:
        rows = session.scalar(select(func.count()).select_from(CustomerKeyRow)
                              .where(CustomerKeyRow.record_id == record_id))
        assert rows == 0
