"""Signing in through the login page from a chosen address, as the login throttle sees it."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.instance import csrf_token

#: The address an attempt comes from unless told otherwise: no one the tests know.
STRANGER = "10.0.0.66"


def attempt(client: FlaskClient, username: str, password: str, address: str = STRANGER) -> TestResponse:
    """The login page fetched and posted from ``address``; the post's answer."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ)
    return client.post("/login", environ_base=environ, data={
        "csrf_token": csrf_token(page.text), "username": username, "password": password})
