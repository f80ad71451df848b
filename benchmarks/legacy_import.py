"""How fast ``records import`` brings a paper archive in, and how much memory it takes.

Makes a fresh SQLite instance (``flask init`` and ``flask demo``: the users and approved forms),
generates an XLSX of ``--records`` legacy records spread over the four forms (a sheet each,
Chinese headers, codes from 2010 to 2024 with gaps, unknown people, table cells) and one scan
per record in a folder (small real JPEGs drawn by Pillow; every fourth a one-page PDF), then
runs, each as its own CLI process:

- ``records import FILE --scans DIR`` (the dry run: every row checked, every scan read and
  checked by content, nothing written);
- ``records import FILE --scans DIR --commit`` (the check again, the scans stored, then every
  record written in one transaction);
- ``outbox run --once --topics search.index`` (the imported records indexed);
- ``outbox run --topics pdf.archival`` for ``--render-seconds`` (the archival PDF/A copies:
  how many are made in that time, to tell how long all of them take).

It prints the wall time, CPU time and peak memory (max RSS of that process, from
``wait4``'s rusage, see :func:`benchmarks.machine.run_measured`) of each, and records/s. Nothing
is asserted about durations. ``--postgres`` runs the same on a PostgreSQL server it starts.

    .venv/bin/python benchmarks/legacy_import.py [--records 20000] [--keep DIR] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from archive.models import Record, Rendition  # noqa: E402
from benchmarks.machine import describe, run_measured  # noqa: E402
from core.app import create_app  # noqa: E402
from core.web import services  # noqa: E402
from tests.support.legacy_sheets import (  # noqa: E402
    AR_HEADERS,
    CP_HEADERS,
    RS_HEADERS,
    VR_HEADERS,
    ar_row,
    cp_row,
    jpeg,
    pdf,
    rs_row,
    vr_row,
)
from tests.support.postgres import start_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
FORMS = (("VR", VR_HEADERS, "扫描件"), ("CP", CP_HEADERS, "扫描件"), ("RS", RS_HEADERS, "扫描件"),
         ("AR", AR_HEADERS, "scan"))
PEOPLE = ["王五", "赵六", "孙七", "周八", "Sales", "clerk"]
CUSTOMERS = ["上海恒丰", "杭州远景", "苏州华立", "南京金桥", "宁波东方", "无锡新城"]


def row_of(form: str, n: int, scan: str) -> list[Any]:
    """The n-th legacy record of ``form``: dated over 2010-2024, every seventh number skipped."""
    day = date(2010, 1, 1) + timedelta(days=(n * 17) % (15 * 365))
    seq = n + n // 7 + 1
    code = f"{form}-{day.year}-{seq:06d}"
    if form == "VR":
        return vr_row(code, day, 扫描件=scan, 填写人=PEOPLE[n % len(PEOPLE)], 客户姓名或称呼=f"客户{n}",
                      联系电话=f"139{n:08d}", 客户需求=f"{n % 5 + 1}居室，预算{n % 300 + 100}万")
    if form == "CP":
        moment = datetime(day.year, day.month, day.day, 9 + n % 8, n % 60)
        return cp_row(code, moment, 扫描件=scan, 客户名称=CUSTOMERS[n % len(CUSTOMERS)],
                      投诉内容=f"第{n}批货外壳划痕，数量{n % 40 + 1}件",
                      联系电话=f"021-6{n % 1000:03d}{n % 10000:04d}")
    if form == "RS":
        return rs_row(code, day, 扫描件=scan, 保单号=f"P-{n:07d}", 投保人=f"投保人{n}")
    return ar_row(code, day, scan=scan, records_wanted=f"CP-{day.year}-{n:06d}", reason=f"审计第{n}号")


def generate(folder: Path, records: int) -> tuple[Path, Path, int]:
    """The workbook and the folder of scans; returns their paths and the scans' total bytes."""
    scans = folder / "scans"
    scans.mkdir()
    book = Workbook(write_only=True)
    total, per_form = 0, records // len(FORMS)
    for index, (form, headers, _column) in enumerate(FORMS):
        sheet = book.create_sheet(form)
        sheet.append(headers)
        count = per_form + (records % len(FORMS) if index == len(FORMS) - 1 else 0)
        for n in range(count):
            number = index * per_form + n
            name = f"{form.lower()}-{n:06d}.{'pdf' if n % 4 == 3 else 'jpg'}"
            data = pdf(number) if n % 4 == 3 else jpeg(number)
            (scans / name).write_bytes(data)
            total += len(data)
            sheet.append(row_of(form, n, name))
    path = folder / "legacy.xlsx"
    book.save(path)
    return path, scans, total


def flask(instance: Path, env: dict[str, str], *args: str, **popen: Any) -> Any:
    return run_measured([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                        env={**env, "DOSSIER_INSTANCE": str(instance)}, **popen)


def timed(instance: Path, env: dict[str, str], step: str, *args: str) -> tuple[Any, str]:
    with tempfile.TemporaryFile("w+") as out:
        measured = flask(instance, env, *args, stdout=out, stderr=subprocess.DEVNULL, text=True)
        out.seek(0)
        output = out.read()
    if measured.returncode != 0:
        raise SystemExit(f"{step} failed ({measured.returncode}):\n{output[-3000:]}")
    return measured, output


def rendered_in(instance: Path, env: dict[str, str], seconds: float) -> int:
    """Archival copies the ``pdf.archival`` worker stores in ``seconds`` (then it is stopped)."""
    before = count(instance, env, Rendition)
    process = subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "outbox", "run", "--topics",
                                "pdf.archival", "--no-jobs"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**env, "DOSSIER_INSTANCE": str(instance)})
    time.sleep(seconds)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
    return count(instance, env, Rendition) - before


def count(instance: Path, env: dict[str, str], model: Any) -> int:
    os.environ["DOSSIER_INSTANCE"] = str(instance)
    if "DOSSIER_DATABASE_URL" in env:
        os.environ["DOSSIER_DATABASE_URL"] = env["DOSSIER_DATABASE_URL"]
    app = create_app()
    with app.app_context():
        with services().db.reading() as session:
            found = session.scalar(select(func.count()).select_from(model)) or 0
        services().db.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--render-seconds", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    parser.add_argument("--postgres", action="store_true",
                        help="on a PostgreSQL server the benchmark starts (tests/support/postgres.py)")
    args = parser.parse_args()
    print(describe())
    folder = args.keep or Path(tempfile.mkdtemp(prefix="legacy-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    instance = folder / "instance"
    instance.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_DATABASE_URL"}
    server = start_server() if args.postgres else None
    if server is not None:
        env["DOSSIER_DATABASE_URL"] = server.create_database("legacy_import_bench")
        print(f"PostgreSQL on port {server.port}")
    try:
        started = time.perf_counter()
        book, scans, scan_bytes = generate(folder, args.records)
        print(f"generated {args.records} rows in {book.stat().st_size / 1e6:.1f} MB of XLSX and "
              f"{args.records} scans ({scan_bytes / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
        timed(instance, env, "init", "init")
        timed(instance, env, "demo", "demo")
        records_before = count(instance, env, Record)
        command = ("records", "import", str(book), "--by", "archivist", "--scans", str(scans), "--lang", "en")
        steps = [("records import (dry run)", *timed(instance, env, "dry run", *command)),
                 ("records import --commit", *timed(instance, env, "import", *command, "--commit"))]
        imported = count(instance, env, Record) - records_before
        steps.append(("outbox run --once --topics search.index", *timed(
            instance, env, "index", "outbox", "run", "--once", "--topics", "search.index", "--no-jobs")))
        rendered = rendered_in(instance, env, args.render_seconds)
        report(args.records, imported, steps, rendered, args.render_seconds)
    finally:
        if server is not None:
            server.stop()
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def report(records: int, imported: int, steps: list[tuple[str, Any, str]], rendered: int,
           seconds: float) -> None:
    print(f"\n| step ({records} rows, {imported} records imported) | wall s | CPU s | records/s "
          "| max RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, measured, _output in steps:
        print(f"| {name} | {measured.wall:.1f} | {measured.cpu:.1f} | {records / measured.wall:,.0f} | "
              f"{measured.max_rss_mb:.0f} |")
    rate = rendered / seconds
    print(f"| outbox run --topics pdf.archival ({seconds:.0f} s) | {seconds:.0f} | | {rate:.1f} | |")
    if rate:
        print(f"\nAll {imported} archival copies at that rate: {imported / rate / 3600:.1f} h (one worker).")
    for name, _measured, output in steps:
        said = [line for line in output.splitlines()
                if line.startswith(("legacy.xlsx", "Imported", "No problems", "Nothing", "1 pass", "outbox"))
                or " done, " in line]
        print(f"\n{name}:\n  " + "\n  ".join(said or output.splitlines()[-3:]))


if __name__ == "__main__":
    main()
