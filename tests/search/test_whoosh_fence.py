"""Whoosh's internals are used in one module (search/whoosh_internals.py), for the one Whoosh
release pinned in pyproject.toml: the application refuses to start against another, and an
index written by another is rebuilt, never read."""

from __future__ import annotations

import ast
import tomllib
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest
from flask import Flask

from search import whoosh_internals
from search.index_schema import INDEX_VERSION, SCHEMA_VERSION
from search.indexing import SearchDocument, build
from search.store import VERSION_FILE, IndexUnavailable, SearchStore
from search.whoosh_internals import (
    DISTRIBUTION,
    RELEASE,
    VERSION,
    WHOOSH_DISTRIBUTIONS,
    UnsupportedWhoosh,
    check_installed,
)

ROOT = Path(__file__).resolve().parents[2]
INTERNALS = ROOT / "search" / "whoosh_internals.py"
#: Whoosh's modules of codec and format details: imported by the internals module only.
INTERNAL_MODULES = ("whoosh.codec", "whoosh.system", "whoosh.util")
#: A Whoosh other than the pinned one (a fork whose name no real distribution has).
ANOTHER_NAME, ANOTHER_VERSION = "whoosh-fork", "9.1.0"
ANOTHER_WHOOSH = f"{ANOTHER_NAME}=={ANOTHER_VERSION}"


def private_uses(source: str) -> list[str]:
    """Every use of something private to another object or module: ``x._name`` where ``x`` is
    not ``self`` or ``cls``, ``getattr(x, "_name")`` and the like, ``from whoosh… import _name``,
    and imports of Whoosh's codec and format modules. Dunders (``__dict__``) are not private."""
    return [f"line {node.lineno}: {ast.unparse(node)}" for node in ast.walk(ast.parse(source))
            if _private_attribute(node) or _private_getattr(node) or _internal_import(node)]


def _private_attribute(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and _private(node.attr)
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")))


def _private_getattr(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
            and _private(node.args[1].value))


def _internal_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.startswith(INTERNAL_MODULES) for alias in node.names)
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
        return ((node.module or "").startswith(INTERNAL_MODULES)
                or any(_private(alias.name) for alias in node.names))
    return False


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_scan_finds_what_it_looks_for() -> None:
    source = """
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import _DEF_INDEX_NAME
import whoosh.util.numeric
perdoc = reader._perdoc
folder = getattr(reader, "_storage", None)
self._own = cls._own = kept.__dict__
"""
    assert [use.split(":")[0] for use in private_uses(source)] == [
        "line 2", "line 3", "line 4", "line 5", "line 6"]


def test_whoosh_internals_are_used_in_one_module_only() -> None:
    uses = {path.name: private_uses(path.read_text(encoding="utf-8"))
            for path in sorted((ROOT / "search").glob("*.py")) if path != INTERNALS}
    assert len(uses) > 10
    assert {name: found for name, found in uses.items() if found} == {}
    assert private_uses(INTERNALS.read_text(encoding="utf-8"))  # where they are instead


def test_the_pinned_release_is_the_one_the_internals_module_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    whooshes = [requirement for requirement in project["dependencies"] if "whoosh" in requirement.lower()]
    assert whooshes == [RELEASE]
    docstring = whoosh_internals.__doc__ or ""
    assert f"{DISTRIBUTION} {VERSION}" in docstring


def test_the_installed_whoosh_is_the_pinned_one() -> None:
    assert whoosh_internals.installed() == RELEASE
    check_installed()


def installed_as(monkeypatch: pytest.MonkeyPatch, versions: dict[str, str]) -> None:
    """Make importlib.metadata answer that these distributions (name → version) are installed,
    and no other that provides ``whoosh``."""
    real = metadata.version

    def version(name: str) -> str:
        if name.lower() in versions:
            return versions[name.lower()]
        if name.lower() in {n.lower() for n in (*WHOOSH_DISTRIBUTIONS, ANOTHER_NAME)}:
            raise metadata.PackageNotFoundError(name)
        return real(name)
    monkeypatch.setattr(metadata, "version", version)
    monkeypatch.setattr(metadata, "packages_distributions", lambda: {"whoosh": list(versions)})


def test_another_version_of_the_distribution_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, {DISTRIBUTION: "0.0.1"})
    with pytest.raises(UnsupportedWhoosh) as refused:
        check_installed()
    assert f"needs {RELEASE}" in str(refused.value)
    assert f"found {DISTRIBUTION}==0.0.1 " in str(refused.value)


def test_another_distribution_of_whoosh_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, {ANOTHER_NAME: ANOTHER_VERSION})
    with pytest.raises(UnsupportedWhoosh, match=f"found {ANOTHER_WHOOSH} "):
        check_installed()
    installed_as(monkeypatch, {})
    with pytest.raises(UnsupportedWhoosh, match="found no Whoosh distribution"):
        check_installed()


def test_two_distributions_of_whoosh_installed_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installing one over the other mixes their files in one ``whoosh`` folder."""
    other = next(name for name in WHOOSH_DISTRIBUTIONS if name.lower() != DISTRIBUTION.lower())
    installed_as(monkeypatch, {DISTRIBUTION: VERSION, other.lower(): "1.0"})
    with pytest.raises(UnsupportedWhoosh, match=f"found {RELEASE}, {other}==1.0 "):
        check_installed()


def test_the_application_refuses_to_start_against_another_whoosh(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from core.app import create_app

    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path))
    installed_as(monkeypatch, {DISTRIBUTION: "0.0.1"})
    with pytest.raises(UnsupportedWhoosh, match=f"needs {RELEASE}"):
        create_app()


def document(n: int) -> SearchDocument:
    return SearchDocument(code=f"CP-2026-{n:06d}", form="CP", year=2026, state="submitted", department="CS",
                          submitted_at=datetime(2026, 3, 2, tzinfo=UTC), revision=1, title="",
                          texts=("外包装破损",))


def test_an_index_records_the_whoosh_release_that_wrote_it(tmp_path: Path) -> None:
    store = SearchStore(tmp_path)
    build(store, [document(1)])
    folder = store.current_dir()
    assert folder is not None
    assert f"{SCHEMA_VERSION} {RELEASE}" == INDEX_VERSION
    assert (folder / VERSION_FILE).read_text(encoding="utf-8") == INDEX_VERSION
    assert store.problem() is None


def test_an_index_written_by_another_whoosh_is_not_read_but_rebuilt(tmp_path: Path) -> None:
    store = SearchStore(tmp_path)
    build(store, [document(1)])
    old = store.current_dir()
    assert old is not None
    (old / VERSION_FILE).write_text(f"{SCHEMA_VERSION} {ANOTHER_WHOOSH}", encoding="utf-8")
    problem = store.problem() or ""
    assert ANOTHER_WHOOSH in problem and INDEX_VERSION in problem
    with pytest.raises(IndexUnavailable, match="rebuild"):
        store.open()
    with pytest.raises(IndexUnavailable):
        store.searcher()
    build(store, [document(1), document(2)])
    assert store.problem() is None and store.current_dir() != old
    assert store.searcher().doc_count() == 2


def test_an_upgraded_whoosh_rebuilds_the_index_at_init(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pin moved to another release (and the installed Whoosh with it): the index the old
    one wrote is rebuilt by ``flask init``."""
    from search import store as store_module

    runner = app.test_cli_runner()
    assert "building it" in runner.invoke(args=["init"]).output
    assert "Search index is up to date." in runner.invoke(args=["init"]).output
    monkeypatch.setattr(store_module, "INDEX_VERSION", f"{SCHEMA_VERSION} {ANOTHER_WHOOSH}")
    output = runner.invoke(args=["init"]).output
    assert f"built with schema version {INDEX_VERSION}, this code uses {SCHEMA_VERSION} {ANOTHER_WHOOSH}" \
        in output and "Search index rebuilt" in output
    folder = store_module.instance_search_store(app.instance_path).current_dir()
    assert folder is not None
    assert (folder / VERSION_FILE).read_text(encoding="utf-8") == f"{SCHEMA_VERSION} {ANOTHER_WHOOSH}"
