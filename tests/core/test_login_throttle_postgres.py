"""Sign-in throttling on PostgreSQL (issue 15 item 14): concurrent first failures from one address
create its counts once (the savepoint insert), every failure is counted (the rows are locked),
and the delay follows. The SQLite tests: test_login_throttle.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.auth import accounts
from core.auth.models import LoginThrottle
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import PASSWORD


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def test_concurrent_failures_are_each_counted_once(pg_app):  # type: ignore[no-untyped-def]
    policy = accounts.LoginPolicy(free_failures=50, address_free_failures=50)

    def wrong(n: int) -> str:
        with pg_app.app_context():
            s = services()
            try:
                accounts.authenticate(s.db, s.clock, policy, "clerk", f"wrong-{n}", "10.0.0.9")
            except accounts.LoginRefused as refused:
                return "wrong" if refused.wrong else "waiting"
            return "in"

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(wrong, range(12)))
    assert answers == ["wrong"] * 12
    with pg_app.app_context(), services().db.reading() as session:
        rows = {(r.username, r.failures) for r in session.scalars(
            select(LoginThrottle).where(LoginThrottle.address == "10.0.0.9"))}
    assert rows == {("clerk", 12), ("", 12)}


def test_the_delay_and_the_owner_elsewhere(pg_app, clock):  # type: ignore[no-untyped-def]
    with pg_app.app_context():
        s, policy = services(), accounts.LoginPolicy()
        for _ in range(5):
            with pytest.raises(accounts.LoginRefused):
                accounts.authenticate(s.db, s.clock, policy, "clerk", "wrong-password", "10.0.0.9")
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(s.db, s.clock, policy, "clerk", PASSWORD, "10.0.0.9")
        assert not refused.value.wrong and refused.value.retry_after == 2
        assert accounts.authenticate(s.db, s.clock, policy, "clerk", PASSWORD, "10.0.0.7").username == "clerk"
        clock.advance(seconds=2, microseconds=1)
        assert accounts.authenticate(s.db, s.clock, policy, "clerk", PASSWORD, "10.0.0.9").username == "clerk"
