"""`flask customers rebuild`: the key table recomputed from the records, for upgrades (records
stored before migration 0025) and after SECRET_KEY changed (every digest changes with it)."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import delete, select

from archive.models import Record
from core.db import Database
from core.web import services
from forms.customers.linking import refresh_links
from forms.customers.models import CustomerKeyRow
from forms.versions import spec_version

customers_cli = AppGroup("customers", help="One view of a customer: the links of records to customers.")
BATCH = 500


def rebuild_links(db: Database, progress: click.progressbar | None = None) -> int:
    """Replace every record's key rows from its current data, in batches of BATCH records;
    an anonymised record gets none. Returns the number of records read."""
    with db.transaction() as session:
        session.execute(delete(CustomerKeyRow))
        ids = list(session.scalars(select(Record.id).order_by(Record.id)))
    for start in range(0, len(ids), BATCH):
        with db.transaction() as session:
            for record in session.scalars(select(Record).where(Record.id.in_(ids[start:start + BATCH]))):
                spec = spec_version(db, record.form_code, record.form_version)
                refresh_links(session, record, spec, None if record.anonymised_at else record.data)
        if progress is not None:
            progress.update(len(ids[start:start + BATCH]))
    return len(ids)


@customers_cli.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Recompute the links of every record to its customer (after an upgrade or a new SECRET_KEY)."""
    db = services().db
    with db.reading() as session:
        total = len(list(session.scalars(select(Record.id))))
    with click.progressbar(length=total, label="customer links") as bar:
        count = rebuild_links(db, bar)
    click.echo(f"{count} records linked again")


def init_step() -> None:
    """At `flask init`: an instance upgraded past migration 0025 links its old records once
    (an empty key table beside records). A new SECRET_KEY needs `flask customers rebuild`."""
    db = services().db
    with db.reading() as session:
        linked = session.scalar(select(CustomerKeyRow.id).limit(1)) is not None
        has_records = session.scalar(select(Record.id).limit(1)) is not None
    if has_records and not linked:
        click.echo(f"Customer links: {rebuild_links(db)} records linked.")
