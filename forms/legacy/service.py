"""``records import``: check a legacy register, then (asked to) write it, all or nothing.

Two passes over the file, neither holding it in memory:

1. **Check** (always): every row read and checked (:class:`forms.legacy.checking.RowChecker`),
   codes looked up in the database a batch at a time, scans read and checked. A row that can be
   imported is staged as one JSON line in a temporary file; only the codes seen and the highest
   sequence per (form, year) stay in memory. With ``commit``, each scan is also put in the file
   store (write-once, by content) as it is read, so no scan is read while the database is held.
2. **Write** (only with ``commit`` and no problem at all): the staged rows in ONE transaction
   (:func:`forms.legacy.writing.write_all`) with the ``records.import`` audit event. Anything
   failing rolls it back, and the scans this import added to the store are deleted again:
   nothing of the file is left.

Only the records office's keepers (archivists, admins) import: it writes the archive itself.
A dry run changes nothing (not the database, not the file store, not the audit trail).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from archive.files import FileStore, StoreUnavailable
from archive.models import Record, Tombstone
from archive.office import require_keeper
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms.legacy.checking import LegacyRow, Problem, RowCheck, RowChecker
from forms.legacy.columns import sheet_layout
from forms.legacy.people import load_directory
from forms.legacy.scans import ScanFolder, StoredScans
from forms.legacy.sheets import read_sheets
from forms.legacy.writing import Writer, Written, write_all
from forms.versions import fillable_specs

#: Codes looked up in the database at once.
CODE_BATCH = 500


class ImportFailed(Exception):
    """The write failed and was rolled back; the message says why in one line."""


@dataclass(frozen=True)
class Options:
    scans: Path | None = None
    commit: bool = False
    encoding: str | None = None
    locale: str = "zh"


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    ready: int = 0
    problems: list[Problem] = field(default_factory=list)
    by_form: dict[str, int] = field(default_factory=dict)
    scans: int = 0
    written: Written | None = None
    check_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def rows_with_problems(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})


@dataclass
class _Staged:
    """Pass 1's output: the staged rows and what the write needs besides them."""

    handle: IO[str]
    highest: dict[tuple[str, int], int] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    pending: list[tuple[str, Problem]] = field(default_factory=list)  # codes still to look up


def import_file(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, store: FileStore, path: Path,
                options: Options, *, checked: Callable[[int], None] = lambda n: None,
                written: Callable[[int], None] | None = None,
                writing: Callable[[int], None] = lambda total: None) -> ImportReport:
    """Check ``path`` and, with ``options.commit`` and no problem found, import it.

    ``checked(n)`` is called as rows are checked; ``writing(total)`` once before the write and
    ``written(n)`` as rows are written (the command's progress bar). Raises BadFile for a file
    that cannot be read as a register, ImportFailed when the write fails."""
    require_keeper(actor)
    report = ImportReport(path.name)
    scans = StoredScans(store) if options.commit else None
    with tempfile.TemporaryFile("w+", encoding="utf-8") as handle:
        staged = _Staged(handle)
        started = time.perf_counter()
        try:
            _check(db, clock, zone, path, options, report, staged, scans, checked)
        except BaseException:
            if scans:
                scans.take_back()
            raise
        report.check_seconds = time.perf_counter() - started
        if report.problems and scans:
            scans.take_back()
        if not options.commit or report.problems:
            return report
        writing(report.ready)
        started = time.perf_counter()
        report.written = _write(db, clock, zone, actor, path, staged, report, scans, written or checked)
        report.write_seconds = time.perf_counter() - started
    return report


def _check(db: Database, clock: Clock, zone: ZoneInfo, path: Path, options: Options, report: ImportReport,
           staged: _Staged, scans: StoredScans | None, checked: Callable[[int], None]) -> None:
    specs = fillable_specs(db)
    checker = RowChecker(specs, load_directory(db), zone, clock.now(), ScanFolder(options.scans),
                         options.locale)
    for sheet in read_sheets(path, encoding=options.encoding):
        layout = sheet_layout(sheet, specs, options.locale)
        staged.sheets.append(sheet.name)
        for row in sheet.rows:
            report.rows += 1
            found = checker.check(layout, row)
            report.problems.extend(found.problems)
            if found.row is not None:
                _stage(db, found, staged, report, scans)
            checked(1)
    _refuse_taken(db, staged.pending, report)
    order = {name: n for n, name in enumerate(staged.sheets)}
    report.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row))


def _stage(db: Database, found: RowCheck, staged: _Staged, report: ImportReport,
           scans: StoredScans | None) -> None:
    row = found.row
    assert row is not None
    if row.code is not None:
        staged.pending.append((row.code, Problem(row.sheet, row.row, found.code_header, "")))
        if len(staged.pending) >= CODE_BATCH:
            _refuse_taken(db, staged.pending, report)
        key = (row.form, row.year)
        staged.highest[key] = max(staged.highest.get(key, 0), row.seq or 0)
    if found.scan is not None:
        report.scans += 1
        if scans is not None and not report.problems:
            row.scan = found.scan.stored_as(scans.put(found.scan))
    report.ready += 1
    report.by_form[row.form] = report.by_form.get(row.form, 0) + 1
    staged.handle.write(json.dumps(asdict(row), ensure_ascii=False, default=_iso) + "\n")


def _refuse_taken(db: Database, pending: list[tuple[str, Problem]], report: ImportReport) -> None:
    """Report the rows whose code is taken, and count them out of the rows without problems
    (they were counted when staged; the summary said "without problems: CP 5" for five rows
    all refused). A staged row's code is of its own form: FORM-YYYY-NNNNNN."""
    for code, problem in _taken(db, pending):
        form = code.split("-", 1)[0]
        report.problems.append(problem)
        report.ready -= 1
        report.by_form[form] -= 1
        if not report.by_form[form]:
            del report.by_form[form]


def _taken(db: Database, pending: list[tuple[str, Problem]]) -> list[tuple[str, Problem]]:
    """Rows whose code a record or a destroyed record's tombstone already has (codes are never
    reused), with their codes; ``pending`` is emptied."""
    if not pending:
        return []
    codes = [code for code, _where in pending]
    with db.reading() as session:
        used = set(session.scalars(select(Record.code).where(Record.code.in_(codes))))
        destroyed = set(session.scalars(select(Tombstone.code).where(Tombstone.code.in_(codes))))
    found = []
    for code, where in pending:
        if code in used or code in destroyed:
            message = (_("%(code)s is already a record's code.", code=code) if code in used else
                       _("%(code)s was the code of a destroyed record; codes are never reused.", code=code))
            found.append((code, Problem(where.sheet, where.row, where.column, message)))
    pending.clear()
    return found


def _write(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, path: Path, staged: _Staged,
           report: ImportReport, scans: StoredScans | None, progress: Callable[[int], None]) -> Written:
    staged.handle.seek(0)
    now = clock.now()
    try:
        with db.transaction() as session:
            writer = Writer(session, actor, now, zone, path.name, fillable_specs(db), load_directory(db))
            done = write_all(writer, _unstaged(staged.handle), staged.highest, progress)
            trail.append(session, at=now, actor=actor, action="records.import", object_type="file",
                         object_id=path.name[:64], detail={
                             "rows": done.total, "by_form": done.by_form, "filed": done.filed,
                             "scans": report.scans, "minted": len(done.minted),
                             "counters": {f"{form}-{year}": value
                                          for (form, year), value in done.counters.items()}})
    except (SQLAlchemyError, StoreUnavailable, OSError) as exc:
        if scans:
            scans.take_back()
        raise ImportFailed(_("The import was rolled back, nothing was written: %(why)s",
                             why=str(exc).splitlines()[0][:300])) from exc
    except BaseException:
        if scans:
            scans.take_back()
        raise
    return done


def _unstaged(handle: IO[str]) -> Iterator[LegacyRow]:
    for line in handle:
        values: dict[str, Any] = json.loads(line)
        for name in ("submitted_at", "filed_at"):
            if values[name] is not None:
                values[name] = datetime.fromisoformat(values[name])
        yield LegacyRow(**values)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not staged")
