"""Files as a record's file field holds them, for tests that submit through the services:
checked by content and stored like an upload (forms.file_intake does it for pages and the API)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from archive.stores import file_store
from archive.uploads import Kind, Limits, check_upload

LIMITS = Limits(kinds=frozenset({Kind.IMAGE, Kind.PDF}), max_bytes=10 * 1024 * 1024, max_files=6)


def stored_files(app: Flask, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    """Each (name, bytes) checked and put in the app's file store; the field's value."""
    value = []
    with app.app_context():
        for name, data in files:
            checked = check_upload(name, data, LIMITS)
            stored = file_store().put(checked.data)
            value.append({"sha256": stored.sha256, "name": checked.name, "type": checked.media_type,
                          "size": stored.size})
    return value
