"""The application factory: the one composition root.

It reads configuration, creates the database handle and the clock, and registers every package's
blueprints, CLI commands and init steps. It is the one place that knows every package: it hands
the archive and search what they need from the forms package as typed ports
(:mod:`archive.ports`, :mod:`search.ports`, built from :mod:`forms.adapters`; see :mod:`core.ports`).
It does no database I/O: the schema is created by ``flask --app wsgi init``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import archive
import forms
import search
from archive.ports import ArchivePorts, granted_now
from core import cli, notifications
from core.api import OPENAPI_PATHS as API_DOC_PATHS
from core.api import add_openapi_paths
from core.api import docs_bp as api_docs_bp
from core.audit import wiring as audit_wiring
from core.auth.departments import ensure_default_departments
from core.auth.views import bp as auth_bp
from core.clock import Clock, SystemClock, local
from core.config import PROJECT_ROOT, InstancePaths, ensure_secret_key, instance_paths, load_config
from core.db import Database
from core.errors import register_error_pages
from core.i18n import LOCALE_NAMES, current_locale, install_template_gettext, pick, select_locale
from core.outbox import cli as outbox_cli
from core.ports import AppBuilder, install
from core.web import AppServices, department_name, init_services, person, services
from forms import adapters as forms_offer
from search.ports import SearchPorts

csrf = CSRFProtect()
babel = Babel()


def create_app(overrides: dict[str, Any] | None = None, *, instance_path: str | Path | None = None,
               clock: Clock | None = None) -> Flask:
    """The application for the instance folder ``instance_path`` (default: ``DOSSIER_INSTANCE``,
    else ./instance), its configuration file and environment overridden by ``overrides``."""
    paths = InstancePaths(Path(instance_path).resolve()) if instance_path else instance_paths()
    config = load_config(paths, overrides)
    app = Flask(
        __name__, instance_path=str(paths.root),
        template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config)
    if config["TRUSTED_PROXIES"]:  # the client's address from the proxies' X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config["TRUSTED_PROXIES"])  # type: ignore[method-assign]
    install(app, AppBuilder(create_app))  # for worker processes that build their own app
    app.url_map.converters["id"] = DatabaseId
    app.config["SECRET_KEY"] = config.get("SECRET_KEY") or ensure_secret_key(paths)
    init_services(app, AppServices(
        db=Database(config["DATABASE_URL"], pre_ping=bool(config["DATABASE_PRE_PING"])),
        clock=clock or SystemClock(), zone=ZoneInfo(config["TIMEZONE"]),
    ))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)  # after Babel's own: the catalogue looked up once per page
    register_error_pages(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(api_docs_bp)
    add_openapi_paths(app, API_DOC_PATHS, {})
    app.jinja_env.globals.update(pick=pick, current_locale=current_locale, locales=LOCALE_NAMES)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters.update(person=person, department_name=department_name)  # names, not keys
    cli.register_core_commands(app)
    outbox_cli.init_app(app)
    notifications.init_app(app)  # its e-mail topic and digest job register with the outbox
    audit_wiring.init_app(app)  # the audit key and checkpoints (after the outbox's registries)
    cli.add_init_step(app, _seed_departments)
    forms.init_app(app)
    # What the archive and search need from the forms package (their ports), wired here only.
    archive.init_app(app, ArchivePorts(
        filing_rules=forms_offer.filing_rules, catalogue_printer=forms_offer.catalogue_printer,
        disposal_hooks=forms_offer.disposal_hooks, disclosure=forms_offer.SpecDisclosure()))
    search.init_app(app, SearchPorts(
        documents=forms_offer.record_documents, facet_labels=forms_offer.facet_labels,
        granted=granted_now, shown=forms_offer.shown_hits,
        customers=forms_offer.customer_hints))
    app.after_request(_security_headers)
    return app


class DatabaseId(IntegerConverter):
    """A positive integer that fits a database id; larger numbers are a 404, not an overflow."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def _localtime(instant: datetime | None) -> str:
    """A stored UTC instant shown in the office's zone."""
    return "" if instant is None else local(instant, services().zone).strftime("%Y-%m-%d %H:%M")


def _seed_departments() -> None:
    added = ensure_default_departments(services().db)
    click.echo(f"Departments: {added} added.")


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")
    return response
