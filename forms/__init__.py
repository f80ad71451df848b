"""The front office: form specs, field types, drafts, filling pages, submission, API.

Importing the package imports nothing more: :func:`init_app` imports what it wires (views, APIs,
commands, hooks: the whole application, ~0.7 s), so a process that needs one module of the
package, as a fresh process printing a PDF needs the renderer, does not pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the forms package. A broken spec stops the app here, naming every problem."""
    import click

    from archive import retention
    from core.cli import add_init_step
    from core.outbox.cli import register_batch_handler, register_handler
    from core.web import current_actor, services
    from forms import (
        admin_api,
        api,
        calendar_api,
        cli,
        complaint_counts,
        deadlines,
        desk_api,
        inbox,
        office_calendar,
        privacy_notices,
        report_api,
        search_documents,
        versions,
        work_api,
    )
    from forms.calendar_cli import calendar_cli
    from forms.customer_requests.views import bp as customer_requests_bp
    from forms.customers import api as customers_api
    from forms.customers.pages import bp as customers_bp
    from forms.customers.rebuild import customers_cli
    from forms.customers.rebuild import init_step as customers_init_step
    from forms.jobs import init_app as init_jobs
    from forms.legacy.cli import init_app as init_legacy_import
    from forms.pdf import archival, stamping
    from forms.personal import init_app as init_personal_data
    from forms.rules import office_rules
    from forms.spec.library import SPEC_DIR, load_or_fail
    from forms.views import bp, charts, files
    from forms.views.calendar import bp as calendar_bp

    specs = load_or_fail(app.config.get("SPEC_DIR", SPEC_DIR))  # as `forms check` reads them
    deadlines.DAYS_BY_FORM["PR"] = app.config["CUSTOMER_REQUEST_DAYS"]  # the personal data request
    office_rules()  # the form rules, registered once: a duplicate hook name stops the app here
    app.register_blueprint(bp)
    app.register_blueprint(customer_requests_bp)  # the personal data request's pages (PR)
    app.register_blueprint(customers_bp)  # one view of a customer (forms.customers)
    app.register_blueprint(calendar_bp)  # /admin/calendar: the office calendar (docs/calendar.md)
    # first of all before-request steps: the global CSRF check reads the body (forms.views.files)
    app.before_request_funcs.setdefault(None, []).insert(0, files.raise_cap_for_file_pages)
    api.init_api(app)
    work_api.init_api(app)
    desk_api.init_api(app)
    report_api.init_api(app)
    admin_api.init_api(app)
    calendar_api.init_api(app)
    customers_api.init_api(app)
    app.cli.add_command(cli.forms_cli)
    app.cli.add_command(cli.workflow_cli)
    app.cli.add_command(cli.demo_command)
    app.cli.add_command(cli.pdf_cli)
    app.cli.add_command(customers_cli)  # flask customers rebuild (forms.customers)
    app.cli.add_command(calendar_cli)  # flask calendar import (issue 22, docs/calendar.md)
    office_calendar.init_app(app)  # the calendar working-time deadlines count on
    init_personal_data(app)  # the personal commands and the reveal API
    init_legacy_import(app)  # records import: legacy registers (issue 19)
    init_jobs(app)  # the deadline tick and the anonymisation, run by the outbox worker
    register_handler(app, archival.TOPIC, archival.handle)
    register_handler(app, stamping.TOPIC, stamping.handle)  # the 归档章 after filing (archive.filing_stamp)
    register_batch_handler(app, search_documents.TOPIC, search_documents.handle_batch,
                           size=search_documents.BATCH_SIZE)
    app.jinja_env.globals["inbox_count"] = lambda: inbox.inbox_count(services().db, current_actor())
    app.jinja_env.globals["bar_layout"] = charts.bar_layout

    def register_spec_versions() -> None:
        added = retention.ensure_defaults(services().db, services().clock)
        if added:
            click.echo(f"Retention classes added: {', '.join(added)}.")
        report = versions.register_specs(services().db, services().clock, specs)
        click.echo(f"Form specs: {len(report.registered)} new version(s) registered "
                   f"{report.registered or ''}, {len(report.unchanged)} unchanged.")
        for problem in report.problems:
            click.echo(f"  problem: {problem}", err=True)
        if report.registered:
            click.echo("  New versions must be approved by an admin before they can be filled "
                       "(web: /admin/forms, or `flask --app wsgi forms approve CODE VERSION --by ADMIN`).")

    add_init_step(app, register_spec_versions)
    privacy_notices.init_app(app)  # the fill and record pages' notice
    add_init_step(app, privacy_notices.init_step)  # the notices' versions, refused if edited in place
    add_init_step(app, customers_init_step)  # old records linked once after migration 0025
    add_init_step(app, cli.give_archival_codes)  # 档号 for records filed before they were minted
    # the weekly statistics' weeks for this zone, and their counts rebuilt if the zone is new
    add_init_step(app, lambda: complaint_counts.ensure_counted(services().db, services().zone))
