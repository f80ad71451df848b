"""Destroying in a test as the office does: the list's two witnesses (监销人) named by the keeper
who executes, each confirming as themselves (archive.witnesses), before ``disposal.execute``."""

from __future__ import annotations

from flask import Flask

from archive import witnesses
from core.web import services
from tests.support.instance import actor_of

#: Records-office users of the test instance who are not the usual executor (archivist).
WITNESSES = ("auditor", "admin")


def witness(app: Flask, list_id: int, *, by: str = "archivist",
            named: tuple[str, str] = WITNESSES) -> None:
    """``by`` names ``named`` as the witnesses of the approved list; each confirms."""
    with app.app_context():
        s = services()
        witnesses.name_witnesses(s.db, s.clock, actor_of(app, by), list_id, named)
        for username in named:
            witnesses.confirm(s.db, s.clock, actor_of(app, username), list_id)
