"""FILE_STORE chooses the file store (the instance folder unless the config says otherwise; a
wrong value stops the app at creation naming the setting), and what the callers promise on top
of any store: rows name keys, a key another row names is not purged, an extra file is explained,
files rows written before content keys are still read and verified."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from archive import purge
from archive.files import CONTENT_KEY, content_key
from archive.folder_store import FolderStore
from archive.models import Rendition
from archive.stores import check_config, file_store, store_for, store_name
from core.clock import FrozenClock
from core.config import ConfigError
from core.outbox.queue import Task, enqueue
from core.web import services
from tests.support.clock import START
from tests.support.file_stores import rendition_key, rendition_path, stored_path
from tests.support.instance import make_app
from tests.support.lifecycle import new_complaint, work_outbox

OLD_KEY_OF = "CP/2026/{code}.r1.archival.pdf"


def test_the_default_is_the_instance_renditions_folder_one_per_app(app: Flask) -> None:
    with app.app_context():
        store = file_store()
        assert isinstance(store, FolderStore) and store.name == "folder"
        assert store.root == Path(app.instance_path) / "renditions"
        assert file_store() is store and file_store(app) is store
    assert store_name({}) == "folder" and store_name({"FILE_STORE": ""}) == "folder"


@pytest.mark.parametrize("name", ["disk", "Folder", "S3", 5])
def test_an_unknown_store_is_refused_naming_the_setting(instance_dir: Path, name: object) -> None:
    with pytest.raises(ConfigError) as refused:
        make_app(f"sqlite:///{instance_dir / 'db.sqlite3'}", FrozenClock(START), FILE_STORE=name)
    assert str(refused.value) == f"FILE_STORE: {name!r} is not one of folder, s3"


def test_s3_without_its_settings_is_refused_naming_the_missing_one(instance_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"^S3_ENDPOINT_URL: required when FILE_STORE is 's3'"):
        check_config({"FILE_STORE": "s3"})
    with pytest.raises(ConfigError, match=r"^S3_ENDPOINT_URL"):
        store_for(instance_dir, {"FILE_STORE": "s3"})


def test_a_rendition_row_names_the_content_key_of_its_file(app: Flask) -> None:
    code = new_complaint(app)
    work_outbox(app)
    key = rendition_key(app, code)
    assert CONTENT_KEY.fullmatch(key)
    with app.app_context(), services().db.reading() as session:
        sha256 = session.scalar(select(Rendition.sha256).where(Rendition.path == key))
    assert key == content_key(sha256) and rendition_path(app, code).is_file()


def test_a_file_rows_named_before_content_keys_is_read_and_verified_where_it_is(
        app: Flask, token_for: Callable[[str], dict[str, str]]) -> None:
    """An upgraded instance: its row names CP/2026/<code>.r1.archival.pdf and the file is there."""
    code = new_complaint(app)
    work_outbox(app)
    key, old = rendition_key(app, code), OLD_KEY_OF.format(code=code)
    stored_path(app, old).parent.mkdir(parents=True)
    shutil.move(stored_path(app, key), stored_path(app, old))
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Rendition).where(Rendition.path == key).values(path=old))
    verified = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0 and verified.stdout.startswith("clean: 1 files"), verified.output
    response = app.test_client().get(f"/api/v1/records/{code}/archival", headers=token_for("archivist"))
    assert response.status_code == 200 and response.data == stored_path(app, old).read_bytes()


def test_the_purge_keeps_a_key_a_renditions_row_still_names(app: Flask) -> None:
    code = new_complaint(app)
    work_outbox(app)
    key = rendition_key(app, code)
    with app.app_context():
        gone = file_store().put(b"%PDF-1.7 no row names this").key
        purge.handle(Task(id=0, topic=purge.PURGE_TOPIC, subject="test", payload={"paths": [key, gone]},
                          attempt=1))
        assert file_store().exists(key) and not file_store().exists(gone)


def test_an_extra_file_a_pending_purge_will_delete_is_explained(app: Flask) -> None:
    new_complaint(app)
    work_outbox(app)
    with app.app_context():
        s = services()
        waiting = file_store().put(b"%PDF-1.7 its row was removed").key
        stray = file_store().put(b"%PDF-1.7 nobody's").key
        with s.db.transaction() as session:
            purge.enqueue_purge(session, subject="disposal-9", at=s.clock.now(), paths=[waiting])
            enqueue(session, topic="other.topic", subject="x", at=s.clock.now(), payload={"paths": [stray]})
    result = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert result.exit_code == 1
    assert (f"[extra] {waiting}: its renditions row was removed (a disposal or an anonymisation)"
            in result.stdout)
    assert f"[extra] {stray}: no renditions row names this file" in result.stdout
    assert "(2 extra)" in result.stdout
