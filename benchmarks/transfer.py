"""How long ``archive transfer --year`` takes on a filled year, and whether it is repeatable.

Fills a fresh SQLite instance as benchmarks/archive.py does (``flask init``, ``flask demo``, one
real complaint filed through the worker, ``--records`` more filed with copies of its PDF/A), then
gives every filed record its 档号 (``archive.archival_backfill.give_missing``, as ``flask init``
does for records filed before 档号) and marks each copy as carrying its filing stamp — the
shortcut: the copies' bytes are the real complaint's, not stamped again (rendering thousands of
PDFs is benchmarks/pdf.py's measure). Then it times, each as its own CLI process:

- ``archive transfer --year 2026 --out A`` (read, copy and check every PDF/A, write every JSON,
  print the catalogue, read everything back, record it);
- ``archive verify-transfer A``;
- ``archive transfer --year 2026 --out B`` again, and compares A and B file by file (only
  ``manifest.json``'s date may differ).

    .venv/bin/python benchmarks/transfer.py [--records 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402

from archive.archival_backfill import give_missing  # noqa: E402
from archive.archival_codes import ArchivalScheme  # noqa: E402
from archive.models import Record, Rendition  # noqa: E402
from benchmarks.archive import fill, run_flask  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from core.app import create_app  # noqa: E402
from core.web import services  # noqa: E402


def give_references(instance: Path) -> int:
    """Every filed record its 档号, and its copies marked as stamped; how many were given."""
    os.environ["DOSSIER_INSTANCE"] = str(instance)
    app = create_app()
    with app.app_context():
        s = services()
        with s.db.transaction() as session:
            given = give_missing(session, ArchivalScheme.from_config(app.config), s.clock.now(), audit=False)
            session.execute(update(Rendition).where(
                Rendition.record_id == Record.id, Rendition.archival_code.is_(None),
                Record.archival_code.is_not(None)).values(archival_code=Record.archival_code))
        s.db.dispose()
    return len(given)


def differing(one: Path, two: Path) -> list[str]:
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    return [name for name in names if (one / name).read_bytes() != (two / name).read_bytes()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="keep the instance and the packages here")
    args = parser.parse_args()
    print(describe())
    work = args.keep or Path(tempfile.mkdtemp(prefix="dossier-transfer-bench-"))
    instance = work / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        run_flask(instance, "init", "init")
        run_flask(instance, "demo", "demo")
        files, total = fill(instance, args.records)
        given = give_references(instance)
        print(f"filled: {files} stored files, {total / 1e6:.0f} MB; 档号 given to {given}")
        steps = [run_flask(instance, "start-up only (`archive --help`)", "archive", "--help"),
                 run_flask(instance, "transfer", "archive", "transfer", "--year", "2026", "--out",
                           str(work / "a")),
                 run_flask(instance, "verify-transfer", "archive", "verify-transfer", str(work / "a")),
                 run_flask(instance, "transfer again", "archive", "transfer", "--year", "2026", "--out",
                           str(work / "b"))]
        print("\n| step | wall s | CPU s | peak RSS MB |\n| --- | ---: | ---: | ---: |")
        for step in steps:
            print(f"| {step.step} | {step.wall:.1f} | {step.cpu:.1f} | {step.max_rss_mb:.0f} |")
        print()
        for step in steps[1:]:
            print(f"{step.step}: {step.output}")
        print(f"files differing between the two packages: {differing(work / 'a', work / 'b')}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
