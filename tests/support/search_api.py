"""Searching through the app's JSON API, as a client does."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def found(client: FlaskClient, query: str, headers: Any = None) -> list[str]:
    """The codes ``GET /api/v1/search?q=query`` answers (its first 100, in its order)."""
    response = client.get("/api/v1/search", query_string={"q": query, "per_page": 100}, headers=headers)
    assert response.status_code == 200, response.json
    return [hit["code"] for hit in response.json["hits"]]
