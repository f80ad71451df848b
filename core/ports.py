"""Typed extension points: how one package hands another what it needs, without string keys.

A *port* is a frozen object a package declares in its own ``ports`` module (``search.ports``,
``archive.ports``, :class:`core.web.AppServices`): the composition root (``core.app``) builds it
and :func:`install` s it once; readers ask :func:`port` for it by its class and get a typed
object back. A *registry* (:class:`Registry`) collects named entries that several packages add
during ``init_app`` (outbox handlers, periodic jobs): :func:`registry` gives the app's one,
creating it empty on first use.

Both are kept in ``app.extensions`` under their class, so no string names a hook and a
misspelt name is an import error rather than a missing key at request time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import Flask, current_app

T = TypeVar("T")
V = TypeVar("V")


class PortError(LookupError):
    """A port installed twice, or read before it was installed; the message names it."""


def install(app: Flask, value: object, *, replacing: bool = False) -> None:
    """Make ``value`` the app's port of its class. Installing a second one is refused (it would
    silently replace the first) unless ``replacing`` says so (a test swapping the clock)."""
    kind = type(value)
    if kind in app.extensions and not replacing:
        raise PortError(f"{kind.__qualname__} is installed already")
    app.extensions[kind] = value


def port(kind: type[T], app: Flask | None = None) -> T:
    """The installed port of class ``kind`` (of ``current_app`` unless ``app`` is given)."""
    try:
        found: T = (app or current_app).extensions[kind]
    except KeyError:
        raise PortError(f"no {kind.__qualname__} installed: the composition root (core.app) "
                        "installs every port") from None
    return found


class AppFactory(Protocol):
    """Builds the application for an instance folder (``core.app.create_app``)."""

    def __call__(self, overrides: dict[str, Any] | None = None, *,
                 instance_path: str | Path | None = None) -> Flask: ...


@dataclass(frozen=True)
class AppBuilder:
    """How this app was built, for worker processes that build their own (the PDF export's
    pool): a package below the composition root cannot import it. The factory must be a
    module-level function: it is pickled by name and the workers import it themselves."""

    factory: AppFactory


class DuplicateName(ValueError):
    """A second entry under a name a registry holds already."""


class Registry(Mapping[str, V]):
    """Entries by name, in the order they were added. A second entry under a name is refused:
    with a plain dict it would silently replace the first (two packages claiming one topic)."""

    #: What the entries are, for messages ("outbox handler", "job").
    entry_kind = "entry"

    def __init__(self) -> None:
        self._entries: dict[str, V] = {}

    def add(self, name: str, entry: V) -> None:
        if name in self._entries:
            raise DuplicateName(f"{self.entry_kind} {name!r} is registered already")
        self._entries[name] = entry

    def __getitem__(self, name: str) -> V:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def registry(kind: type[T], app: Flask | None = None) -> T:
    """The app's registry of class ``kind`` (``current_app``'s unless ``app`` is given), created
    empty the first time a package adds to it or a reader asks."""
    extensions = (app or current_app).extensions
    if kind not in extensions:
        extensions[kind] = kind()
    found: T = extensions[kind]
    return found
