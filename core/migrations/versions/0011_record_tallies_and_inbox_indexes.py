"""Record tallies kept by triggers, and the inbox's indexes (issue 16).

The navigation's inbox count ran over every record the user may see on every page. The
database now keeps how many records there are per (form, version, state, department,
countersigned or not, submitter) in ``record_tallies`` (archive/tallies.py), moved by triggers
on ``records`` on every insert, update of those columns and delete, so no write path can forget
it. SQLite: row triggers (one writer at a time). PostgreSQL: row triggers deferred to commit.
A tally row stays locked until its transaction commits; taken mid-transaction, a writer
holding one could wait for the audit chain's head while the head's holder (a destruction list
deleting record after record, each audited) waited for that tally row: a deadlock. At commit
every service has appended its audit event, so it holds the head before any tally row, and
writers take tally rows one transaction at a time. The table is filled from the records
already there.

The inbox lists waiting records per (form, version, state, department): those whose deadline
runs by it, then the others by submission. Four partial indexes of plain columns serve those
orders, each part apart for countersigned records and those waiting for it (a
countersignature's inbox reads only the latter).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 21:10:00
"""
# ruff: noqa: S608  (the statements are built from this file's constants; nothing comes from input)
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEY = "form_code, form_version, state, department_id, countersigned, submitted_by_id"


def key_of(row: str) -> str:
    """A records row's tally key, as SQL (``row`` is NEW, OLD or a table name)."""
    return (f"{row}.form_code, {row}.form_version, {row}.state, coalesce({row}.department_id, 0), "
            f"{row}.countersigned_at IS NOT NULL, {row}.submitted_by_id")


RUNNING = "deadline_met_at IS NULL AND due_at IS NOT NULL"
NOT_RUNNING = "(deadline_met_at IS NOT NULL OR due_at IS NULL)"
KIND = "form_code, form_version, state, department_id"
#: name → (columns, condition); the models declare the same (archive/tallies.py).
INDEXES = {
    "ix_records_inbox_signed_due": (f"{KIND}, due_at, submitted_at, id", f"countersigned_at IS NOT NULL AND {RUNNING}"),
    "ix_records_inbox_signed": (f"{KIND}, submitted_at, id", f"countersigned_at IS NOT NULL AND {NOT_RUNNING}"),
    "ix_records_inbox_unsigned_due": (f"{KIND}, due_at, submitted_at, id", f"countersigned_at IS NULL AND {RUNNING}"),
    "ix_records_inbox_unsigned": (f"{KIND}, submitted_at, id", f"countersigned_at IS NULL AND {NOT_RUNNING}"),
}

SQLITE_ADD = (f"INSERT INTO record_tallies ({KEY}, n) VALUES ({key_of('NEW')}, 1) "
              f"ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;")
SQLITE_REMOVE = ("UPDATE record_tallies SET n = n - 1 WHERE form_code = OLD.form_code "
                 "AND form_version = OLD.form_version AND state = OLD.state "
                 "AND department_id = coalesce(OLD.department_id, 0) "
                 "AND countersigned = (OLD.countersigned_at IS NOT NULL) "
                 "AND submitted_by_id = OLD.submitted_by_id;")
SQLITE_KEY_CHANGED = " OR ".join([
    *(f"OLD.{c} IS NOT NEW.{c}" for c in ("form_code", "form_version", "state", "department_id",
                                          "submitted_by_id")),
    "(OLD.countersigned_at IS NULL) IS NOT (NEW.countersigned_at IS NULL)"])
SQLITE_TRIGGERS = {
    "record_tallies_insert": f"AFTER INSERT ON records BEGIN {SQLITE_ADD} END",
    "record_tallies_delete": f"AFTER DELETE ON records BEGIN {SQLITE_REMOVE} END",
    "record_tallies_update": (
        "AFTER UPDATE OF form_code, form_version, state, department_id, countersigned_at, "
        f"submitted_by_id ON records WHEN {SQLITE_KEY_CHANGED} BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END"),
}


PG_ADD = f"""
CREATE OR REPLACE FUNCTION record_tallies_add(r records, d integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_tallies AS t ({KEY}, n) VALUES ({key_of('r')}, d)
    ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;
END $$"""
PG_MOVE = f"""
CREATE OR REPLACE FUNCTION record_tallies_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM record_tallies_add(NEW, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM record_tallies_add(OLD, -1);
    ELSIF ROW({key_of('OLD')}) < ROW({key_of('NEW')}) THEN
        PERFORM record_tallies_add(OLD, -1);
        PERFORM record_tallies_add(NEW, 1);
    ELSE
        PERFORM record_tallies_add(NEW, 1);
        PERFORM record_tallies_add(OLD, -1);
    END IF;
    RETURN NULL;
END $$"""
PG_KEY_CHANGED = SQLITE_KEY_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
PG_TRIGGERS = {
    "record_tallies_insert": "AFTER INSERT ON records",
    "record_tallies_delete": "AFTER DELETE ON records",
    "record_tallies_update": ("AFTER UPDATE OF form_code, form_version, state, department_id, countersigned_at, "
                              "submitted_by_id ON records"),
}
PG_WHEN = {"record_tallies_update": f" WHEN ({PG_KEY_CHANGED})"}


def upgrade() -> None:
    op.create_table('record_tallies',
    sa.Column('form_code', sa.String(length=8), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('countersigned', sa.Boolean(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('form_code', 'form_version', 'state', 'department_id', 'countersigned',
                            'submitted_by_id', name=op.f('pk_record_tallies'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_ADD)
        op.execute(PG_MOVE)
        for name, event in PG_TRIGGERS.items():  # at commit, when the audit head is already held
            op.execute(f"CREATE CONSTRAINT TRIGGER {name} {event} DEFERRABLE INITIALLY DEFERRED "
                       f"FOR EACH ROW{PG_WHEN.get(name, '')} EXECUTE FUNCTION record_tallies_move()")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(f"INSERT INTO record_tallies ({KEY}, n) SELECT {key_of('records')}, count(*) "
               f"FROM records GROUP BY {key_of('records')}")
    for name, (columns, where) in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON records ({columns}) WHERE {where}")


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="records")
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (
            " ON records" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS record_tallies_move()")
        op.execute("DROP FUNCTION IF EXISTS record_tallies_add(records, integer)")
    op.drop_table('record_tallies')
