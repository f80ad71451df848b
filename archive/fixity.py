"""Fixity: is the archive still what it claims to be?

:func:`verify_archive` checks four things and returns every problem it finds, not only the
first, so that one run tells an operator the whole extent of a damage:

- every stored rendition file against its ``renditions`` row (SHA-256 and size); a row whose
  file is gone is *missing*; every attachment (a file field's photo or scan) and its thumbnail
  the same way against its ``attachments`` row, named with the record, field and file;
- every file in the store (``FileStore.keys``) against the rows: a file no row names is *extra*,
  and what an interrupted write left (``FileStore.leftovers``: a ``.writing-*`` file in the
  folder store, an unfinished upload in S3) is *temp*;
- the audit trail's hash chain (``core.audit.trail.verify``) with the instance's audit key and
  against its checkpoints file (``core.audit.anchor.anchored_verify``, as ``audit verify``), and
  every audit extract an ``archive import`` kept under the instance (``audit-imports/``, see
  archive/importing.py);
- the codes: for every (form, year) counter, each sequence 1..value is a record or a
  tombstone; a number that is neither is a *code gap* (a record deleted outside disposal); the
  same for every 档号 counter (an *archival gap*, archive/archival_fixity.py).

Checksums are computed by a few threads over the store's ``chunks``: ``hashlib`` releases the
GIL while it hashes and a read waits on the disk or the network, so the pass is bound by the
storage, not by one core (there may be 100k files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.archival_fixity import KIND as ARCHIVAL_GAP
from archive.archival_fixity import archival_gaps, given_numbers
from archive.attachment_fixity import attachment_objects, check_attachments, draft_keys
from archive.files import CONTENT_KEY, BadKey, FileMissing, FileStore
from archive.models import CodeCounter, Record, Rendition, Tombstone
from archive.numbering import format_code
from archive.portability import AUDIT_IMPORTS, verify_extract
from archive.purge import PURGE_TOPIC
from core.audit import trail
from core.audit.anchor import anchored_verify
from core.audit.checkpoints import CHECKPOINT_FILE
from core.audit.keys import KEY_FILE, AuditKeyError, keyring_of
from core.auth.models import UserMark
from core.auth.roles import ORGANISATION_WIDE, Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from core.outbox.models import OutboxItem

HASH_THREADS = 4
#: Who may run the check through a service call (the console operator passes no actor).
VERIFIERS = ORGANISATION_WIDE  # the records office


@dataclass(frozen=True)
class Problem:
    """One finding: ``kind`` is checksum, missing, extra, temp, audit, code-gap or archival-gap."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.subject}: {self.detail}"


@dataclass
class FixityReport:
    files_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    codes_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for problem in self.problems:
            counted[problem.kind] = counted.get(problem.kind, 0) + 1
        return counted

    def summary(self) -> str:
        checked = (f"{self.files_checked} files ({self.bytes_checked / 1e6:.1f} MB), "
                   f"{self.events_checked} audit events, {self.codes_checked} codes")
        if self.clean:
            return f"clean: {checked} checked, no problems."
        found = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts().items()))
        return f"NOT clean: {len(self.problems)} problem(s) ({found}); {checked} checked."


@dataclass(frozen=True)
class _Stored:
    path: str
    sha256: str
    size: int
    code: str
    revision: int


def rendition_count(db: Database) -> int:
    """How many files the checksum pass will read (for a progress bar's length)."""
    with db.reading() as session:
        renditions = session.scalar(select(func.count()).select_from(Rendition)) or 0
        return renditions + attachment_objects(session)


def verify_archive(db: Database, clock: Clock, store: FileStore, *, actor: Actor | None = None,
                   instance_path: Path | None = None, progress: Callable[[int], None] = lambda _n: None,
                   by: str = "console") -> FixityReport:
    """Run every check and return the report; the run itself is audited (``archive.verify``).

    ``actor`` None is the operator at the console (the CLI) or, ``by="scheduler"``, the
    worker's periodic job; a service caller passes the user, who must be an admin, archivist or
    auditor. ``progress`` is called once per file hashed.
    """
    if actor is not None and actor.role not in VERIFIERS:
        raise PermissionDenied("only admins, archivists and auditors may verify the archive")
    report = FixityReport()
    with db.reading() as session:
        known = _check_files(session, store, report, progress)
        _check_trail(session, instance_path, report)
        _check_codes(session, report)
        _check_archival_codes(session, report)
        known |= set(session.scalars(select(UserMark.key)))  # people's signatures and stamps
        known |= _check_attachments(session, store, report, progress)  # the files on records
        known |= draft_keys(session)  # files saved with a draft, not a record's yet
        _check_extra(session, store, known, report)
    if instance_path is not None:
        _check_extracts(instance_path / AUDIT_IMPORTS, report)
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, actor_name=by, action="archive.verify",
                     object_type="archive", detail={"clean": report.clean, **report.counts()})
    return report


def _check_trail(session: Session, instance_path: Path | None, report: FixityReport) -> None:
    """The audit chain: with the instance's key, and against its checkpoints file when the
    instance folder is known (core/audit/anchor.py), as ``audit verify`` checks it."""
    try:
        keyring = keyring_of(session)
        key = keyring.key() if keyring is not None else None
        if instance_path is None:
            report.events_checked, broken = trail.verify(session, key=key)
            problem = None
        else:
            report.events_checked, broken, _lines, problem = anchored_verify(
                session, instance_path / CHECKPOINT_FILE, key)
    except AuditKeyError as exc:
        report.problems.append(Problem("audit", KEY_FILE, str(exc)))
        return
    if problem is not None:
        report.problems.append(Problem("audit", f"{CHECKPOINT_FILE} line {problem.line}", problem.reason))
    if broken is not None:
        report.problems.append(Problem("audit", f"event seq={broken.seq} (id={broken.event_id})",
                                       broken.reason))


def _check_attachments(session: Session, store: FileStore, report: FixityReport,
                       progress: Callable[[int], None]) -> set[str]:
    """Every attachment's object read and compared (:mod:`archive.attachment_fixity`)."""
    keys, findings, files, size = check_attachments(session, store, progress)
    report.problems.extend(Problem(*finding) for finding in findings)
    report.files_checked += files
    report.bytes_checked += size
    return keys


def _check_files(session: Session, store: FileStore, report: FixityReport,
                 progress: Callable[[int], None]) -> set[str]:
    rows = session.execute(select(Rendition.path, Rendition.sha256, Rendition.size, Record.code,
                                  Rendition.revision).join(Record, Rendition.record_id == Record.id)
                           .order_by(Rendition.path).execution_options(yield_per=2000))
    known: set[str] = set()
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        for batch in rows.partitions(1000):  # Executor.map submits all at once: bound it
            stored = [_Stored(*row) for row in batch]
            digests = pool.map(lambda key: _digest(store, key), [r.path for r in stored])
            for row, actual in zip(stored, digests, strict=True):
                known.add(row.path)
                report.files_checked += 1
                progress(1)
                report.problems.extend(_compare(row, actual))
                report.bytes_checked += actual[1] if actual else 0
    return known


def _digest(store: FileStore, key: str) -> tuple[str, int] | None:
    """The stored file's SHA-256 and size, or None if it is not there (or the row names no key
    of the store: "../…" is never read)."""
    digest, size = hashlib.sha256(), 0
    try:
        for block in store.chunks(key):
            digest.update(block)
            size += len(block)
    except (FileMissing, BadKey):
        return None
    return digest.hexdigest(), size


def _compare(row: _Stored, actual: tuple[str, int] | None) -> Iterable[Problem]:
    of = f"{row.code} r{row.revision}"
    if actual is None:
        yield Problem("missing", row.path, f"the renditions row of {of} names this file, but it is "
                                           "not there")
    elif actual != (row.sha256, row.size):
        yield Problem("checksum", row.path, f"SHA-256 {actual[0]} ({actual[1]} bytes) differs from "
                                            f"the stored {row.sha256} ({row.size} bytes) of {of}")


def _check_extra(session: Session, store: FileStore, known: set[str], report: FixityReport) -> None:
    for leftover in store.leftovers():
        report.problems.append(Problem("temp", leftover, "a temporary file left by an interrupted "
                                                         "write (safe to delete)"))
    extra = [key for key in store.keys() if key not in known]  # noqa: SIM118 (a store, not a dict)
    purging = _purging(session) if extra else set()
    destroyed = _tombstoned(session, {code for key in extra if (code := _code_of(key))})
    for key in extra:
        if key in purging:
            why = ("its renditions row was removed (a disposal or an anonymisation) but the file is "
                   "still here (the outbox's archive.purge_files task is pending or failing)")
        elif _code_of(key) in destroyed:
            why = ("the record was destroyed but its file is still here (the outbox's "
                   "archive.purge_files task is pending or failing)")
        else:
            why = "no renditions row names this file"
        report.problems.append(Problem("extra", key, why))


def _code_of(key: str) -> str | None:
    """The record code an old, code-shaped key carries (``CP/2026/CP-2026-000001.r1.archival.pdf``);
    a content key names bytes, not a record."""
    if CONTENT_KEY.fullmatch(key):
        return None
    return Path(key).name.partition(".")[0]


def _purging(session: Session) -> set[str]:
    """The keys unfinished ``archive.purge_files`` tasks are to delete."""
    keys: set[str] = set()
    for payload in session.scalars(select(OutboxItem.payload).where(
            OutboxItem.topic == PURGE_TOPIC, OutboxItem.done_at.is_(None))):
        keys.update(payload.get("paths", []))
    return keys


def _tombstoned(session: Session, codes: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        found.update(session.scalars(select(Tombstone.code).where(
            Tombstone.code.in_(ordered[start:start + 500]))))
    return found


def _check_codes(session: Session, report: FixityReport) -> None:
    for counter in session.scalars(select(CodeCounter).order_by(CodeCounter.category, CodeCounter.year)):
        taken = set(session.scalars(select(Record.seq).where(
            Record.form_code == counter.category, Record.year == counter.year)))
        taken.update(session.scalars(select(Tombstone.seq).where(
            Tombstone.form_code == counter.category, Tombstone.year == counter.year)))
        report.codes_checked += counter.value
        legacy = _highest_imported(session, counter)  # below it: a legacy register's gaps
        for first, last in _runs(sorted(set(range(legacy + 1, counter.value + 1)) - taken)):
            span = format_code(counter.category, counter.year, first)
            if last != first:
                span += f" … {format_code(counter.category, counter.year, last)} ({last - first + 1} codes)"
            report.problems.append(Problem("code-gap", span, "minted, but neither a record nor a "
                                                             "tombstone"))
        for seq in sorted(s for s in taken if s > counter.value):
            report.problems.append(Problem("code-gap", format_code(counter.category, counter.year, seq),
                                           f"beyond the counter ({counter.value}): it could be minted again"))


def _highest_imported(session: Session, counter: CodeCounter) -> int:
    """The highest sequence of a record imported from a legacy register (``records import``) in
    the counter's form and year, 0 if none. The import kept the register's codes and moved the
    counter past them, so the numbers missing below it are ones the paper register skipped or
    lost, not codes this archive minted and lost: they are not reported as gaps."""
    return session.scalar(select(func.max(Record.seq)).where(
        Record.form_code == counter.category, Record.year == counter.year,
        Record.imported_at.is_not(None))) or 0


def _check_archival_codes(session: Session, report: FixityReport) -> None:
    """The 档号 counters against the records and tombstones holding them (archive.archival_fixity)."""
    report.codes_checked += sum(given_numbers(session).values())
    report.problems.extend(Problem(ARCHIVAL_GAP, subject, why) for subject, why in archival_gaps(session))


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of sorted numbers as (first, last)."""
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            yield start, previous  # type: ignore[misc]
        start = previous = number
    if start is not None:
        yield start, previous  # type: ignore[misc]


def _check_extracts(folder: Path, report: FixityReport) -> None:
    """Audit extracts kept by ``archive import``: each must still verify against its own hashes."""
    if not folder.is_dir():
        return
    for extract in sorted(folder.glob("*/events.jsonl")):
        checked, problem = verify_extract(extract)
        report.events_checked += checked
        if problem is not None:
            report.problems.append(Problem("audit", str(extract.relative_to(folder.parent)), problem))
