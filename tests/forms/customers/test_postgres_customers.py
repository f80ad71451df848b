"""The customer key table on a real PostgreSQL server: submission links, a correction moves,
the digest index serves the walk, and rebuild recomputes it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import inspect

from core.web import services
from forms.customers.keys import key_of
from forms.customers.linking import customer_id_of, linked_codes
from tests.support.lifecycle import new_complaint, step

pytestmark = pytest.mark.postgres


def _codes(app: Flask, phone: str) -> list[str]:
    with app.app_context(), services().db.reading() as session:
        return list(linked_codes(session, [key_of("phone", phone)]))


def test_the_key_table_links_and_moves_on_postgresql(pg_app: Flask) -> None:
    first, second = new_complaint(pg_app), new_complaint(pg_app, phone="+8613800138000")
    assert _codes(pg_app, "138 0013 8000") == sorted([first, second])
    step(pg_app, second, "correct", "supervisor", {"phone": "13900139000"}, reason="客户来电更正电话")
    assert _codes(pg_app, "13800138000") == [first] and _codes(pg_app, "13900139000") == [second]
    with pg_app.app_context(), services().db.reading() as session:
        assert customer_id_of(session, first) != customer_id_of(session, second)
        found = inspect(session.connection()).get_indexes("customer_keys")
        indexes = {i["name"]: i["column_names"] for i in found}
        assert indexes["ix_customer_keys_digest"] == ["digest"]
    result = pg_app.test_cli_runner().invoke(args=["customers", "rebuild"])
    assert result.exit_code == 0, result.output
    assert _codes(pg_app, "13800138000") == [first]
