"""File stores for tests: every store the contract test runs against, and where an instance's
stored renditions are.

``file_stores`` lists the stores (:class:`StoreKind`); the ``file_store`` fixture gives each test a
fresh, empty one of each kind in turn (``tests/archive/test_file_store_contract.py``). Registered
for every package by the root ``tests/conftest.py`` (``pytest_plugins``). A new store is one more
:class:`StoreKind` in ``file_stores``: how to make an empty one, and how to leave an interrupted
write in it (what ``leftovers`` must then report).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from archive.files import FileStore
from archive.folder_store import TEMP_PREFIX, FolderStore
from archive.models import Record, Rendition
from archive.s3_store import S3Store
from archive.stores import FOLDER
from core.web import services
from tests.support.s3_fixtures import S3Bucket, interrupt_upload


@dataclass(frozen=True)
class StoreKind:
    name: str
    #: An empty store; may ask ``request`` for other fixtures (a bucket of the tests' S3 server).
    make: Callable[[pytest.FixtureRequest, Path], FileStore]
    #: Leave in ``store`` what a write of ``data`` under ``key`` interrupted half-way leaves.
    interrupt: Callable[[Any, str, bytes], None]
    marks: Sequence[pytest.MarkDecorator] = field(default_factory=tuple)


def _folder(_request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    return FolderStore(tmp_path / "store")


def _interrupt_folder(store: FolderStore, key: str, data: bytes) -> None:
    """A temporary file beside where ``key`` would go, as a writer killed before its link leaves."""
    target = store.root / key
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.parent / f"{TEMP_PREFIX}interrupted").write_bytes(data[: len(data) // 2])


def _s3(request: pytest.FixtureRequest, _tmp_path: Path) -> FileStore:
    """Under a prefix of a fresh bucket of the session's Swift (tests/support/s3_fixtures.py)."""
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_config(bucket.config("contract"))


file_stores: list[StoreKind] = [StoreKind("folder", _folder, _interrupt_folder),
                                StoreKind("s3", _s3, interrupt_upload, marks=(pytest.mark.s3,))]


@dataclass(frozen=True)
class StoreUnderTest:
    kind: StoreKind
    store: FileStore

    def interrupt(self, key: str, data: bytes) -> None:
        self.kind.interrupt(self.store, key, data)


@pytest.fixture(params=[pytest.param(kind, id=kind.name, marks=kind.marks) for kind in file_stores])
def file_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    """A fresh, empty store of each kind in ``file_stores`` in turn."""
    kind: StoreKind = request.param
    return StoreUnderTest(kind, kind.make(request, tmp_path))


def rendition_key(app: Flask, code: str, revision: int = 1) -> str:
    """The store key the renditions row of ``code`` at ``revision`` names."""
    with app.app_context(), services().db.reading() as session:
        key = session.scalar(select(Rendition.path).join(Record, Record.id == Rendition.record_id)
                             .where(Record.code == code, Rendition.revision == revision))
    assert key is not None, f"no rendition of {code} r{revision}"
    return key


def stored_path(app: Flask, key: str) -> Path:
    """Where the folder store (the default) keeps ``key`` in ``app``'s instance."""
    return Path(app.instance_path) / FOLDER / key


def rendition_path(app: Flask, code: str, revision: int = 1) -> Path:
    """The folder store's file of ``code``'s rendition at ``revision``."""
    return stored_path(app, rendition_key(app, code, revision))


def rendition_keys(app: Flask, code: str) -> list[str]:
    """The store keys of every renditions row of ``code``, by revision."""
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(Rendition.path).join(Record, Record.id == Rendition.record_id)
                                    .where(Record.code == code).order_by(Rendition.revision)))
