"""Defects found by walking the served app as each role (issue 15): each test fails on the
defect as it was found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from tests.support.instance import PASSWORD, csrf_token
from tests.support.login_attempts import attempt


@pytest.fixture
def clock() -> FrozenClock:  # overrides the shared one: a time with microseconds
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def test_a_wait_of_one_second_is_one_second(app, clock):  # type: ignore[no-untyped-def]
    """Half-way through the first delay the sign-in page said "Wait 1 seconds"."""
    client = app.test_client()
    client.post("/language/en", data={"csrf_token": csrf_token(client.get("/login").text)})
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    assert "Wait 2 seconds before the next try." in attempt(client, "clerk", "wrong-password").text
    clock.advance(seconds=1, microseconds=500_000)
    refused = attempt(client, "clerk", PASSWORD)
    assert refused.headers["Retry-After"] == "1"
    assert "Wait 1 second, then try again." in refused.text
