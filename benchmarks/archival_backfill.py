"""How long ``flask init`` takes to give 档号 to records filed before they were minted, and how
fast filing mints one at a time.

Makes a fresh SQLite instance (the tests' builder: schema, departments, users, approved specs),
inserts ``--records`` filed complaints without a 档号 (rows copied from one filed through the
real services, with their own codes and filing times, departments alternating between Customer
Service and Quality), then times ``archive.archival_backfill.give_missing`` in one transaction
as the init step runs it (search entries queued, audit events appended), and after it
``archival_numbering.mint`` for ``--mints`` more records, each in its own transaction, as
filing does. Prints both; asserts nothing about durations.

    .venv/bin/python benchmarks/archival_backfill.py [--records 20000] [--mints 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from archive.archival_backfill import give_missing
from archive.archival_numbering import current_scheme, mint
from archive.models import Record
from archive.retention import class_view
from core.auth.models import Department
from core.clock import FrozenClock
from core.web import services
from forms.search_documents import enqueue_indexing
from tests.support.instance import make_app, populate

START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


def filed_rows(count: int, departments: list[int], user: int) -> list[dict[str, object]]:
    rows = []
    for n in range(1, count + 1):
        at = START + timedelta(minutes=n, microseconds=n)
        rows.append({"code": f"CP-2026-{n:06d}", "form_code": "CP", "form_version": 1, "year": 2026,
                     "seq": n, "state": "closed", "title": f"benchmark {n}",
                     "department_id": departments[n % len(departments)], "submitted_by_id": user,
                     "submitted_at": at, "revision": 1, "data": {}, "filed_at": at, "filed_revision": 1,
                     "closed_at": at, "volume": "CP-2026", "retention_class": "complaint-3y",
                     "end_action": "destroy"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--mints", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="archival-backfill-"))
    app = make_app(f"sqlite:///{folder}/dossier.sqlite3", FrozenClock(START))
    populate(app)
    with app.app_context():
        s = services()
        with s.db.transaction() as session:
            wanted = Department.code.in_(["CS", "QA"])
            departments = list(session.scalars(select(Department.id).where(wanted)))
            rows = filed_rows(args.records + args.mints, departments, user=1)
            session.execute(insert(Record.__table__), rows)
        started = time.perf_counter()
        with s.db.transaction() as session:
            given = give_missing(session, current_scheme(), s.clock.now(), after=enqueue_indexing,
                                 among=Record.seq <= args.records)
        seconds = time.perf_counter() - started
        print(f"backfill: {len(given)} records given their 档号 in {seconds:.2f} s "
              f"({len(given) / seconds:.0f}/s); first {given[0]}, last {given[-1]}")
        codes = [f"CP-2026-{n:06d}" for n in range(args.records + 1, args.records + args.mints + 1)]
        started = time.perf_counter()
        for code in codes:
            with s.db.transaction() as session:
                record = session.scalar(select(Record).where(Record.code == code))
                mint(session, record, class_view(session, "complaint-3y"), current_scheme(), "CS")
        seconds = time.perf_counter() - started
        print(f"filing's mint: {len(codes)} transactions in {seconds:.2f} s "
              f"({seconds / len(codes) * 1000:.2f} ms each)")
        s.db.dispose()


if __name__ == "__main__":
    main()
