"""Typed extension points (issue 17): ports installed once and read by their class, registries
that refuse a second entry under a name, the composition root as the one place that wires the
packages, and the instance folder as a parameter of ``create_app``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from core.api import add_openapi_paths, openapi_document
from core.outbox.cli import OutboxHandlers, register_handler
from core.outbox.jobs import Jobs, Outcome, register_job
from core.ports import AppBuilder, DuplicateName, PortError, Registry, install, port, registry

ROOT = Path(__file__).resolve().parents[2]
#: An extension point named by a string: ``app.extensions["dossier…"]`` read, written or looked up.
STRING_KEY = re.compile(r"""extensions\s*(\[|\.get\(|\.setdefault\(|\.pop\()\s*["']dossier""")
COMPOSITION_ROOT = Path("core/app.py")
THIS_TEST = Path(__file__).resolve()  # its examples of what is refused


def _sources() -> list[Path]:
    found = [ROOT / "wsgi.py"]
    for package in ("core", "forms", "archive", "search", "tests", "benchmarks", "scripts"):
        found.extend(sorted((ROOT / package).rglob("*.py")))
    return [path for path in found if path.exists() and path.resolve() != THIS_TEST]


def test_no_extension_point_is_named_by_a_string_outside_the_composition_root() -> None:
    assert STRING_KEY.search('app.extensions["dossier.search_shown"] = shown_hits')  # the check bites
    assert STRING_KEY.search("current_app.extensions.get('dossier.search_grants', NoGrants)")
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in _sources() if path.relative_to(ROOT) != COMPOSITION_ROOT
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if STRING_KEY.search(line)]
    assert offenders == []


@dataclass(frozen=True)
class Greeting:
    text: str


def test_a_port_is_installed_once_and_read_by_its_class() -> None:
    app = Flask(__name__)
    with pytest.raises(PortError, match="no Greeting installed"):
        port(Greeting, app)
    install(app, Greeting("你好"))
    assert port(Greeting, app) == Greeting("你好")
    with app.app_context():
        assert port(Greeting) == Greeting("你好")
    with pytest.raises(PortError, match="Greeting is installed already"):
        install(app, Greeting("hello"))
    assert port(Greeting, app) == Greeting("你好")
    install(app, Greeting("hello"), replacing=True)
    assert port(Greeting, app) == Greeting("hello")


def test_a_registry_keeps_the_order_and_refuses_a_second_entry_under_a_name() -> None:
    class Colours(Registry[str]):
        entry_kind = "colour"

    app = Flask(__name__)
    registry(Colours, app).add("sky", "blue")
    registry(Colours, app).add("grass", "green")
    with pytest.raises(DuplicateName, match="colour 'sky' is registered already"):
        registry(Colours, app).add("sky", "grey")
    assert list(registry(Colours, app).items()) == [("sky", "blue"), ("grass", "green")]


def test_outbox_topics_and_jobs_are_taken_once() -> None:
    app = Flask(__name__)

    def handle(_task: object) -> None:
        return None

    register_handler(app, "pdf.archival", handle)
    with pytest.raises(DuplicateName, match=r"outbox topic 'pdf\.archival'"):
        register_handler(app, "pdf.archival", lambda _task: None)
    assert dict(registry(OutboxHandlers, app)) == {"pdf.archival": handle}
    register_job(app, "tick", lambda: Outcome(True, "ticked"), every=60, description="the tick")
    with pytest.raises(DuplicateName, match="periodic job 'tick'"):
        register_job(app, "tick", lambda: Outcome(True, "again"), every=5, description="another")
    assert registry(Jobs, app)["tick"].every == 60


def test_the_openapi_document_merges_methods_and_refuses_a_method_or_schema_declared_twice() -> None:
    app = Flask(__name__)
    add_openapi_paths(app, {"/records": {"get": {"summary": "list"}}}, {"Record": {"type": "object"}})
    add_openapi_paths(app, {"/records": {"post": {"summary": "submit"}}}, {})
    with pytest.raises(DuplicateName, match="GET /records is declared already"):
        add_openapi_paths(app, {"/records": {"get": {"summary": "other"}}}, {})
    with pytest.raises(DuplicateName, match="schema 'Record' is declared already"):
        add_openapi_paths(app, {}, {"Record": {"type": "string"}})
    with app.app_context():
        document = openapi_document()
    assert document["paths"] == {"/records": {"get": {"summary": "list"}, "post": {"summary": "submit"}}}
    assert document["components"]["schemas"]["Record"] == {"type": "object"}


def test_the_composition_root_wires_the_forms_package_into_the_archive_and_search(app: Flask) -> None:
    from archive.ports import ArchivePorts, granted_now
    from core.app import create_app
    from forms import adapters as forms_offer
    from search.ports import SearchPorts

    archive_ports, search_ports = port(ArchivePorts, app), port(SearchPorts, app)
    assert isinstance(archive_ports.disclosure, forms_offer.SpecDisclosure)
    assert archive_ports.filing_rules is forms_offer.filing_rules
    assert archive_ports.disposal_hooks is forms_offer.disposal_hooks
    assert archive_ports.catalogue_printer is forms_offer.catalogue_printer
    assert search_ports.documents is forms_offer.record_documents
    assert search_ports.shown is forms_offer.shown_hits
    assert search_ports.facet_labels is forms_offer.facet_labels
    assert search_ports.granted is granted_now
    assert port(AppBuilder, app).factory is create_app
    assert {"pdf.archival", "search.index"} <= set(registry(OutboxHandlers, app))


def test_create_app_takes_the_instance_folder_the_environment_only_defaults(instance_dir: Path) -> None:
    from core.app import create_app

    chosen = instance_dir / "chosen"
    chosen.mkdir()
    (chosen / "config.toml").write_text('company_name = "档案室"\n', encoding="utf-8")
    app = create_app(instance_path=chosen)
    assert app.instance_path == str(chosen.resolve())
    assert app.config["COMPANY_NAME"] == "档案室"
    assert app.config["DATABASE_URL"] == f"sqlite:///{chosen.resolve() / 'dossier.sqlite3'}"
    assert (chosen / "secret_key").exists() and not (instance_dir / "secret_key").exists()
    assert create_app().instance_path == str(instance_dir.resolve())  # DOSSIER_INSTANCE
