"""How long the archive's integrity and portability commands take on a filled archive.

Makes a fresh SQLite instance (``flask init`` and ``flask demo``), files one real complaint the
way the app does (submitted, handled, countersigned, its PDF/A rendered by the outbox), then adds
``--records`` more complaints through the submission service and files each with a copy of that
real PDF/A (its bytes plus a unique trailing comment, so every file has its own checksum) written
through the rendition store with its row — the only shortcut: rendering thousands of PDFs would
take an hour and is measured by benchmarks/pdf.py. Then it times, each as its own CLI process:

- ``archive verify`` (every file re-hashed, the audit chain walked, code gaps looked for);
- ``archive export --out DIR``;
- ``archive import DIR`` into a second fresh instance (``flask init`` only);
- ``archive verify`` on that instance;

and prints the wall time, the CPU time and the peak memory (max RSS) of each, with the number
of files and bytes; the first row is a command that only starts the app, the part of each
wall time that is not the work. The page cache is warm (the files were just written): a cold-cache verify on
a real disk is bounded by reading the bytes.

    .venv/bin/python benchmarks/archive.py [--records 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from archive.models import Record, Rendition  # noqa: E402
from archive.renditions import ARCHIVAL  # noqa: E402
from archive.stores import file_store  # noqa: E402
from benchmarks.machine import describe, run_measured  # noqa: E402
from core.app import create_app  # noqa: E402
from core.web import services  # noqa: E402
from forms.submission import submit  # noqa: E402
from tests.support.instance import VALID_CP, actor_of  # noqa: E402
from tests.support.lifecycle import close_complaint, work_outbox  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BATCH = 500
#: What filing set on the real complaint, copied to the others.
FILED_COLUMNS = ("state", "closed_at", "filed_at", "volume", "retention_class", "retention_until",
                 "end_action")


@dataclass(frozen=True)
class Timed:
    step: str
    wall: float
    cpu: float
    max_rss_mb: float
    output: str


def run_flask(instance: Path, step: str, *args: str) -> Timed:
    """One CLI command in its own process: wall, CPU and peak memory of that process alone
    (see :func:`benchmarks.machine.run_measured`)."""
    env = {**os.environ, "DOSSIER_INSTANCE": str(instance)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        measured = run_measured([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=err, text=True)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if measured.returncode != 0:
        raise SystemExit(f"{step} failed ({measured.returncode}):\n{stdout}\n{stderr}")
    return Timed(step, measured.wall, measured.cpu, measured.max_rss_mb, stdout.strip().splitlines()[-1])


def fill(instance: Path, records: int) -> tuple[int, int]:
    """The archive: one real filed complaint and ``records`` more filed with copies of its PDF/A."""
    os.environ["DOSSIER_INSTANCE"] = str(instance)
    app = create_app()
    with app.app_context():
        s = services()
        clerk = actor_of(app, "clerk")
        first = submit(s.db, s.clock, s.zone, clerk, "CP", VALID_CP).code
    close_complaint(app, first)
    work_outbox(app)
    with app.app_context():
        s = services()
        store = file_store(app)  # FILE_STORE from the instance's config.toml
        with s.db.reading() as session:
            model = session.scalars(select(Rendition).join(Record, Record.id == Rendition.record_id).where(
                Record.code == first, Rendition.kind == ARCHIVAL).order_by(Rendition.revision.desc())).first()
            filed = session.scalar(select(Record).where(Record.code == first))
            if model is None or filed is None or filed.filed_at is None:
                raise SystemExit("the real complaint was not filed: the outbox did not store its PDF/A")
            template = store.get(model.path)
            columns = {name: getattr(filed, name) for name in FILED_COLUMNS}
            rendition = {name: getattr(model, name) for name in ("profile", "content_fingerprint", "pages")}
        started = time.perf_counter()
        for start in range(0, records, BATCH):
            batch = range(start, min(start + BATCH, records))
            codes = [submit(s.db, s.clock, s.zone, clerk, "CP", {**VALID_CP, "complaint": f"划痕{n}"}).code
                     for n in batch]
            with s.db.transaction() as session:
                for record in session.scalars(select(Record).where(Record.code.in_(codes))):
                    data = template + f"\n%{record.code}\n".encode()
                    path = store.put(data).key
                    for name, value in columns.items():
                        setattr(record, name, value)
                    record.filed_revision = 1
                    session.add(Rendition(record_id=record.id, revision=1, kind=ARCHIVAL, path=path,
                                          sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                          created_at=s.clock.now(), **rendition))
            done = min(start + BATCH, records)
            print(f"  filled {done}/{records} ({done / (time.perf_counter() - started):.0f} records/s)",
                  file=sys.stderr)
        with s.db.reading() as session:
            files, total_bytes = session.execute(select(func.count(), func.sum(Rendition.size))).one()
        s.db.dispose()
    return files, total_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="keep the instances and the export here")
    args = parser.parse_args()
    print(describe())
    work = args.keep or Path(tempfile.mkdtemp(prefix="dossier-archive-bench-"))
    source, target, out = work / "source", work / "target", work / "export"
    for folder in (source, target):
        folder.mkdir(parents=True, exist_ok=True)
    try:
        for instance in (source, target):
            run_flask(instance, "init", "init")
        run_flask(source, "demo", "demo")
        started = time.perf_counter()
        files, total = fill(source, args.records)
        print(f"filled {args.records + 1} filed complaints, {files} stored files, {total / 1e6:.0f} MB "
              f"in {time.perf_counter() - started:.0f} s")
        steps = [run_flask(source, "start-up only (`archive --help`)", "archive", "--help"),
                 run_flask(source, "verify", "archive", "verify"),
                 run_flask(source, "export", "archive", "export", "--out", str(out)),
                 run_flask(target, "import", "archive", "import", str(out)),
                 run_flask(target, "verify (imported)", "archive", "verify")]
        start_up = steps[0].wall
        print(f"\n| step ({args.records + 1} records, {files} files, {total / 1e6:.0f} MB) | wall s | CPU s "
              f"| wall less start-up s | files/s | MB/s | peak RSS MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for number, step in enumerate(steps):
            work = step.wall - start_up
            rates = (f"{work:.1f} | {files / work:.0f} | {total / 1e6 / work:.0f}" if number and work > 0
                     else "— | — | —")  # the start-up row is the part of each wall time that is not work
            print(f"| {step.step} | {step.wall:.1f} | {step.cpu:.1f} | {rates} | {step.max_rss_mb:.0f} |")
        print()
        for step in steps:
            print(f"{step.step}: {step.output}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
