"""Record lists served in index order (issue 16): my records, the department's and everyone's.

Each list is newest first (submitted_at, id), so each scope gets an index that begins with the
scope and goes on in that order: the submitter's (with the department next, so a clerk's "mine",
which is also limited to their department, is answered from the index alone), the department's,
and the whole archive's.
A page's ids are read from the index, walking at most offset + one page, without sorting the
scope; the form and the code's year ride along at the end, so the API's filters on them are
checked in the index too (both never change, so no update of a record touches these indexes
for them; the state, which changes at every step, is left out). The single-column indexes they
begin with are dropped (the composite ones serve every lookup those did).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:10:00
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: name → columns; the models declare the same (archive.models.Record.__table_args__).
INDEXES = {
    "ix_records_submitter_newest": ["submitted_by_id", "submitted_at", "id", "department_id", "form_code",
                                    "year"],
    "ix_records_department_newest": ["department_id", "submitted_at", "id", "form_code", "year"],
    "ix_records_newest": ["submitted_at", "id", "form_code", "year"],
}
#: Replaced by the composite indexes above, which begin with the same column.
REPLACED = {"ix_records_submitted_by_id": "submitted_by_id", "ix_records_department_id": "department_id",
            "ix_records_submitted_at": "submitted_at"}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "records", columns)
    for name in REPLACED:
        op.drop_index(name, table_name="records")


def downgrade() -> None:
    for name, column in REPLACED.items():
        op.create_index(name, "records", [column])
    for name in INDEXES:
        op.drop_index(name, table_name="records")
