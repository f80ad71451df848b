"""Where the audit key travels (issue 20): not in a backup. A keyed trail restored onto a new
instance verifies once the old instance's ``audit.key`` and checkpoints file are put in its
folder; until then ``archive restore`` refuses before replacing anything, naming the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.app import create_app
from core.audit.checkpoints import CHECKPOINT_FILE
from core.audit.keys import KEY_FILE
from core.clock import FrozenClock
from core.web import services
from tests.support.archive_cli import archive_cli as archive
from tests.support.audit_tampering import append_events, checkpoint, head, make_key, verify


@pytest.fixture
def new_instance(template_db: Path, tmp_path: Path, clock: FrozenClock) -> Any:
    """A second, empty instance in its own folder (users and specs, no archive content)."""
    made: list[Flask] = []

    def make() -> Flask:
        folder = tmp_path / f"new{len(made)}"
        folder.mkdir()
        shutil.copy(template_db, folder / "dossier.sqlite3")
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'dossier.sqlite3'}", "TESTING": True,
                          "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False},
                         instance_path=folder, clock=clock)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            services().db.dispose()


def test_a_keyed_backup_restores_onto_a_new_instance_given_the_old_key(app, new_instance, tmp_path):
    key = make_key(app)
    append_events(app, 3)
    assert checkpoint(app).exit_code == 0
    out = tmp_path / "backup"
    assert archive(app, "backup", "--out", str(out)).exit_code == 0
    in_backup = b"".join(path.read_bytes() for path in out.rglob("*") if path.is_file())
    assert not list(out.rglob(KEY_FILE)) and key.secret.hex().encode() not in in_backup

    target = new_instance()
    own = make_key(target)  # its flask init made a key of its own
    refused = archive(target, "restore", str(out))
    assert refused.exit_code != 0
    assert f"is keyed with key {key.key_id}" in refused.output and f"holds key {own.key_id}" in refused.output
    assert head(target)[0] < head(app)[0]  # nothing was replaced

    folder = Path(target.instance_path)
    for name in (KEY_FILE, CHECKPOINT_FILE):
        shutil.copy(Path(app.instance_path) / name, folder / name)
    restored = archive(target, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    result = verify(target)
    assert result.exit_code == 0 and "2 checkpoint(s) agree" in result.output, result.output
    append_events(target, 2)  # the restored instance carries the trail on with the same key
    assert verify(target).exit_code == 0


def test_a_keyed_backup_is_refused_by_an_instance_without_its_key(app, new_instance, tmp_path):
    key = make_key(app)
    out = tmp_path / "backup"
    assert archive(app, "backup", "--out", str(out)).exit_code == 0
    refused = archive(new_instance(), "restore", str(out))
    assert refused.exit_code != 0
    assert f"is keyed with key {key.key_id}" in refused.output and "audit.key is missing" in refused.output


def test_an_unkeyed_backup_goes_into_an_instance_whose_key_is_moved_aside_then_keyed(
        app, new_instance, tmp_path):
    append_events(app, 2)  # an instance from before the key
    out = tmp_path / "backup"
    assert archive(app, "backup", "--out", str(out)).exit_code == 0
    target = new_instance()
    make_key(target)
    refused = archive(target, "restore", str(out))
    assert refused.exit_code != 0 and "the backup's audit trail has no key" in refused.output
    folder = Path(target.instance_path)
    for name in (KEY_FILE, CHECKPOINT_FILE):
        (folder / name).rename(folder / f"{name}.aside")
    assert archive(target, "restore", str(out)).exit_code == 0
    restored_head = head(target)
    key = make_key(target)  # flask init after the restore
    assert key.keyed_from == restored_head[0] + 1
    append_events(target, 2)
    assert verify(target).exit_code == 0


def test_an_export_of_a_keyed_trail_imports_and_its_extract_verifies_without_the_key(
        app, new_instance, tmp_path):
    """The key is never exported: the target keeps the source's extract and checks its plain
    links, and the keyed ones for order and linkage; its own trail is keyed with its own key."""
    append_events(app, 2)  # before the key: plain links, recomputed by archive verify
    key = make_key(app)
    append_events(app, 3)
    out = tmp_path / "export"
    exported = archive(app, "export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    in_export = b"".join(path.read_bytes() for path in out.rglob("*") if path.is_file())
    assert key.secret.hex().encode() not in in_export and not list(out.rglob(KEY_FILE))
    target = new_instance()
    make_key(target)
    imported = archive(target, "import", str(out))
    assert imported.exit_code == 0, imported.output
    checked = archive(target, "verify")
    assert checked.exit_code == 0, checked.output
    assert verify(target).exit_code == 0
    extract = next(Path(target.instance_path).glob("audit-imports/*/events.jsonl"))
    lines = extract.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({**json.loads(lines[0]), "actor_name": "mallory"}, ensure_ascii=False)
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edited = archive(target, "verify")
    assert edited.exit_code == 1 and "seq 1: content does not match its hash (edited)" in edited.output
