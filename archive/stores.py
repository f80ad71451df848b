"""Which file store an instance uses: ``FILE_STORE`` in its config (``file_store`` in
``config.toml``), "folder" (the default: ``<instance>/renditions``) or "s3" (a bucket of any
service speaking the S3 API: :mod:`archive.s3_store`, settings in :mod:`archive.s3_settings`).

The store is built once per app when ``archive.init_app`` runs (:func:`install_store`), so a
wrong setting stops the app at start-up with a ConfigError naming it, never at the first archived
PDF; pages, handlers and commands ask :func:`file_store` for it. Code that runs without an app
(a benchmark preparing files, a test looking at an instance) builds one with :func:`store_for`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from archive.files import FileStore
from archive.folder_store import FolderStore
from archive.s3_settings import S3Settings
from core.config import ConfigError
from core.ports import install, port

SETTING = "FILE_STORE"
DEFAULT = "folder"
STORES = ("folder", "s3")
#: The folder store's folder under the instance (the name it had when it held renditions only:
#: rows written then name paths in it).
FOLDER = "renditions"
#: The module of the S3 store (``S3Store.from_config(config)``).
S3_MODULE = "archive.s3_store"


@dataclass(frozen=True)
class AppFileStore:
    """The port: the app's one store (kept in ``app.extensions`` by :func:`core.ports.install`)."""

    store: FileStore


def store_name(config: Mapping[str, Any]) -> str:
    """The store the config names (the default when it names none)."""
    return config.get(SETTING) or DEFAULT


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse a ``FILE_STORE`` that cannot work, naming the setting (and, for "s3", the S3
    setting that is wrong: :class:`archive.s3_settings.S3Settings` checks each)."""
    name = store_name(config)
    if name not in STORES:
        raise ConfigError(f"{SETTING}: {name!r} is not one of {', '.join(STORES)}")
    if name == "s3":
        S3Settings.from_config(config)


def store_for(instance_path: str | Path, config: Mapping[str, Any]) -> FileStore:
    """The store ``config`` describes for the instance at ``instance_path`` (a ConfigError
    naming the wrong setting)."""
    check_config(config)
    if store_name(config) == "s3":
        return _s3_store(config)
    return FolderStore(Path(instance_path) / FOLDER)


def install_store(app: Flask) -> FileStore:
    """Build the app's store and keep it (``archive.init_app``)."""
    store = store_for(app.instance_path, app.config)
    install(app, AppFileStore(store))
    return store


def file_store(app: Flask | None = None) -> FileStore:
    """The store of ``app`` (the current app's by default)."""
    return port(AppFileStore, app).store


def _s3_store(config: Mapping[str, Any]) -> FileStore:
    try:
        module = importlib.import_module(S3_MODULE)
    except ImportError as exc:
        raise ConfigError(f"{SETTING}: 's3' is not available in this installation ({S3_MODULE} cannot "
                          f"be imported: {exc}); use 'folder'") from exc
    store: FileStore = module.S3Store.from_config(config)
    return store
