"""Kept counts for the weekly complaint statistics and the catalogue (issue 16), and the two
partial indexes that read the rest.

``complaint_counts`` holds, per week (in the office's zone), department and value of each
breakdown (level, cause, responsible department, channel; ``*`` for all), how many complaints
were registered and how many are late for good, and (breakdown ``due``) how many of them have a
deadline still running, by the UTC day it falls due; ``catalogue_volumes`` how many filed records
each volume of a form and year holds. Triggers on ``records`` keep both in the transaction of
every write (insert, update, delete: submit, actions, corrections, the tick, filing,
anonymisation, destruction, import), whoever makes it (on PostgreSQL deferred to commit, when
the writer holds the audit chain's head, so no writer waits for the head holding a count row).
SQLite knows no zones, so a complaint's week is looked up in ``complaint_weeks``, which the
application fills for its zone (``forms.complaint_counts.ensure_counted``, also a ``flask
init`` step) while rebuilding the counts; while it is empty the complaint triggers count
nothing. ``catalogue_volumes`` needs no
zone and is filled here.

Caution for later migrations: on SQLite, recreating ``records`` (a batch operation that copies
the table) drops these triggers; such a migration must create them again (:func:`upgrade` of
this one shows how).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 21:10:00
"""
# ruff: noqa: S608  (the statements are built from this file's constants; nothing comes from input)
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: The complaint form and its breakdowns (forms.complaint_counts.DIMENSIONS).
FORM = "CP"
DIMENSIONS = ("level", "cause_class", "responsible_department", "channel")
UNSET = "—"
#: The breakdown of complaints whose deadline still runs, by the UTC day it falls due.
DUE = "due"
#: A week for a submission before the first row of complaint_weeks (never read).
NO_WEEK = "1900-01-01"
RUNNING = "deadline_met_at IS NULL AND overdue_at IS NULL AND due_at IS NOT NULL"
FILED = "filed_at IS NOT NULL"
SQLITE_TRIGGERS = ("complaint_counts_insert", "complaint_counts_update", "complaint_counts_delete",
                   "catalogue_volumes_insert", "catalogue_volumes_update", "catalogue_volumes_delete")


def upgrade() -> None:
    _tables()
    op.create_index("ix_records_deadline_running", "records",
                    ["form_code", "due_at", "submitted_at", "department_id"],
                    sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))
    op.create_index("ix_records_filed_in_order", "records", ["form_code", "year", "seq", "volume", "filed_at"],
                    sqlite_where=sa.text(FILED), postgresql_where=sa.text(FILED))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()
    op.execute(f"""INSERT INTO catalogue_volumes (form_code, year, volume, records)
        SELECT form_code, year, COALESCE(volume, ''), COUNT(*) FROM records WHERE {FILED}
        GROUP BY form_code, year, COALESCE(volume, '')""")


def _tables() -> None:
    op.create_table('complaint_weeks',
    sa.Column('starts_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('starts_at', name=op.f('pk_complaint_weeks'))
    )
    op.create_table('complaint_counts',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'dimension', 'value', 'department_id', name=op.f('pk_complaint_counts'))
    )
    op.create_table('catalogue_volumes',
    sa.Column('form_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('volume', sa.String(length=32), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('form_code', 'year', 'volume', name=op.f('pk_catalogue_volumes'))
    )


# --- SQLite: one trigger per event; a row's keys as expressions over NEW or OLD -------------------

def _late(row: str) -> str:
    return (f"CASE WHEN {row}.due_at IS NOT NULL AND ({row}.overdue_at IS NOT NULL "
            f"OR {row}.deadline_met_at > {row}.due_at) THEN 1 ELSE 0 END")


def _running(row: str) -> str:
    return f"{row}.deadline_met_at IS NULL AND {row}.overdue_at IS NULL AND {row}.due_at IS NOT NULL"


def _value(row: str, dimension: str) -> str:
    return f"COALESCE(NULLIF(CAST(json_extract({row}.data, '$.{dimension}') AS TEXT), ''), '{UNSET}')"


def _count_complaint(row: str, sign: int) -> str:
    """One statement adding ``sign`` to the five counts of the complaint ``row`` (NEW or OLD)."""
    values = " UNION ALL ".join(["SELECT '*' AS dimension, '' AS value"] + [
        f"SELECT '{d}', {_value(row, d)}" for d in DIMENSIONS] + [
        f"SELECT '{DUE}', substr({row}.due_at, 1, 10) WHERE {_running(row)}"])
    return f"""INSERT INTO complaint_counts (week, department_id, dimension, value, records, late)
        SELECT w.week, COALESCE({row}.department_id, 0), v.dimension, v.value, {sign}, {sign} * ({_late(row)})
        FROM (SELECT COALESCE((SELECT week FROM complaint_weeks WHERE starts_at <= {row}.submitted_at
                               ORDER BY starts_at DESC LIMIT 1), '{NO_WEEK}') AS week) AS w,
             ({values}) AS v
        WHERE {row}.form_code = '{FORM}'
        ON CONFLICT (week, dimension, value, department_id)
        DO UPDATE SET records = records + excluded.records, late = late + excluded.late;"""


def _count_volume(row: str, sign: int) -> str:
    return f"""INSERT INTO catalogue_volumes (form_code, year, volume, records)
        SELECT {row}.form_code, {row}.year, COALESCE({row}.volume, ''), {sign} WHERE {row}.{FILED}
        ON CONFLICT (form_code, year, volume) DO UPDATE SET records = records + excluded.records;"""


def _sqlite_triggers() -> None:
    weeks = "EXISTS (SELECT 1 FROM complaint_weeks)"
    changed = " OR ".join(
        [f"OLD.{c} IS NOT NEW.{c}" for c in ("form_code", "submitted_at", "department_id")]
        + [f"json_extract(OLD.data, '$.{d}') IS NOT json_extract(NEW.data, '$.{d}')" for d in DIMENSIONS]
        + [f"OLD.{c} IS NOT NEW.{c}" for c in ("due_at", "deadline_met_at", "overdue_at")])
    op.execute(f"""CREATE TRIGGER complaint_counts_insert AFTER INSERT ON records
        WHEN NEW.form_code = '{FORM}' AND {weeks}
        BEGIN {_count_complaint('NEW', 1)} END""")
    op.execute(f"""CREATE TRIGGER complaint_counts_delete AFTER DELETE ON records
        WHEN OLD.form_code = '{FORM}' AND {weeks}
        BEGIN {_count_complaint('OLD', -1)} END""")
    op.execute(f"""CREATE TRIGGER complaint_counts_update
        AFTER UPDATE OF form_code, submitted_at, department_id, data, due_at, deadline_met_at, overdue_at
        ON records WHEN (OLD.form_code = '{FORM}' OR NEW.form_code = '{FORM}') AND {weeks} AND ({changed})
        BEGIN {_count_complaint('OLD', -1)} {_count_complaint('NEW', 1)} END""")
    op.execute(f"""CREATE TRIGGER catalogue_volumes_insert AFTER INSERT ON records WHEN NEW.{FILED}
        BEGIN {_count_volume('NEW', 1)} END""")
    op.execute(f"""CREATE TRIGGER catalogue_volumes_delete AFTER DELETE ON records WHEN OLD.{FILED}
        BEGIN {_count_volume('OLD', -1)} END""")
    op.execute(f"""CREATE TRIGGER catalogue_volumes_update AFTER UPDATE OF filed_at, volume, form_code, year
        ON records WHEN (OLD.{FILED} OR NEW.{FILED}) AND (OLD.filed_at IS NULL OR NEW.filed_at IS NULL
            OR OLD.volume IS NOT NEW.volume OR OLD.form_code IS NOT NEW.form_code OR OLD.year IS NOT NEW.year)
        BEGIN {_count_volume('OLD', -1)} {_count_volume('NEW', 1)} END""")


# --- PostgreSQL: one function per table, called for every row change ------------------------------

POSTGRESQL_FUNCTIONS = f"""
CREATE FUNCTION complaint_counts_add(r records, n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    w date;
    d integer := COALESCE(r.department_id, 0);
    is_late integer := CASE WHEN r.due_at IS NOT NULL AND (r.overdue_at IS NOT NULL
                         OR r.deadline_met_at > r.due_at) THEN n ELSE 0 END;
BEGIN
    IF r.form_code <> '{FORM}' OR NOT EXISTS (SELECT 1 FROM complaint_weeks) THEN
        RETURN;
    END IF;
    SELECT week INTO w FROM complaint_weeks WHERE starts_at <= r.submitted_at
        ORDER BY starts_at DESC LIMIT 1;
    w := COALESCE(w, DATE '{NO_WEEK}');
    INSERT INTO complaint_counts AS c (week, department_id, dimension, value, records, late)
    VALUES (w, d, '*', '', n, is_late),
        {", ".join(f"(w, d, '{x}', COALESCE(NULLIF(r.data ->> '{x}', ''), '{UNSET}'), n, is_late)" for x in DIMENSIONS)}
    ON CONFLICT (week, dimension, value, department_id)
    DO UPDATE SET records = c.records + EXCLUDED.records, late = c.late + EXCLUDED.late;
    IF r.deadline_met_at IS NULL AND r.overdue_at IS NULL AND r.due_at IS NOT NULL THEN
        INSERT INTO complaint_counts AS c (week, department_id, dimension, value, records, late)
        VALUES (w, d, '{DUE}', to_char(r.due_at, 'YYYY-MM-DD'), n, 0)
        ON CONFLICT (week, dimension, value, department_id)
        DO UPDATE SET records = c.records + EXCLUDED.records;
    END IF;
END $$;

CREATE FUNCTION complaint_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.form_code IS NOT DISTINCT FROM OLD.form_code
        AND NEW.submitted_at IS NOT DISTINCT FROM OLD.submitted_at
        AND NEW.department_id IS NOT DISTINCT FROM OLD.department_id
        AND {" AND ".join(f"(NEW.data ->> '{x}') IS NOT DISTINCT FROM (OLD.data ->> '{x}')" for x in DIMENSIONS)}
        AND NEW.due_at IS NOT DISTINCT FROM OLD.due_at
        AND NEW.deadline_met_at IS NOT DISTINCT FROM OLD.deadline_met_at
        AND NEW.overdue_at IS NOT DISTINCT FROM OLD.overdue_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM complaint_counts_add(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM complaint_counts_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION catalogue_volumes_add(r records, n integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF r.filed_at IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO catalogue_volumes AS c (form_code, year, volume, records)
    VALUES (r.form_code, r.year, COALESCE(r.volume, ''), n)
    ON CONFLICT (form_code, year, volume) DO UPDATE SET records = c.records + EXCLUDED.records;
END $$;

CREATE FUNCTION catalogue_volumes_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.filed_at IS NULL) = (OLD.filed_at IS NULL)
        AND NEW.volume IS NOT DISTINCT FROM OLD.volume AND NEW.form_code = OLD.form_code
        AND NEW.year = OLD.year THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM catalogue_volumes_add(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM catalogue_volumes_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
"""


def _postgresql_triggers() -> None:
    """Row triggers deferred to commit (as 0011's tallies): a count row stays locked until its
    transaction commits, and taken mid-transaction a writer holding one could wait for the audit
    chain's head while the head's holder (a destruction list deleting record after record, each
    audited) waited for that row. At commit every service holds the head already."""
    op.execute(POSTGRESQL_FUNCTIONS)
    for name in ("complaint_counts", "catalogue_volumes"):
        op.execute(f"""CREATE CONSTRAINT TRIGGER {name}_track AFTER INSERT OR UPDATE OR DELETE ON records
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}_track()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("complaint_counts", "catalogue_volumes"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_track ON records")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_track()")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_add(records, integer)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_records_filed_in_order", table_name="records")
    op.drop_index("ix_records_deadline_running", table_name="records")
    op.drop_table('catalogue_volumes')
    op.drop_table('complaint_counts')
    op.drop_table('complaint_weeks')
