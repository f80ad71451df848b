"""Batch export: the printed PDF of every record of one form and year, on every core.

Each record is printed through :func:`forms.printing.print_record`, so the export is permission-
checked and audited record by record (``record.print`` with ``via: export``). Rendering runs in
a pool of worker processes (WeasyPrint is CPU-bound and holds the GIL); each builds its app and
renderer once, is recycled after :data:`TASKS_PER_WORKER` documents (WeasyPrint grows ≈ 0.25 MB
per document) and removes its font copies when it exits. Files are written atomically.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from core.auth.roles import Actor
from core.ports import AppBuilder, AppFactory, port
from core.web import services
from forms.pdf.service import thread_renderer
from forms.printing import print_record

TASKS_PER_WORKER = 100
#: The settings a worker process needs to act as the exporting app (same database, same print).
SHARED_CONFIG = ("DATABASE_URL", "DATABASE_PRE_PING", "TIMEZONE", "COMPANY_NAME", "PUBLIC_URL",
                 "PDF_LOGO", "PDF_FONT_REGULAR", "PDF_FONT_BOLD", "SPEC_DIR", "SECRET_KEY")


@dataclass(frozen=True)
class Exported:
    code: str
    file: str | None = None
    size: int = 0
    sha256: str = ""
    error: str | None = None


@dataclass(frozen=True)
class ExportJob:
    actor: Actor
    out: Path
    variant: str | None


def file_name(code: str, variant: str | None) -> str:
    return f"{code}.{variant}.pdf" if variant else f"{code}.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a file: write a temporary file beside it, then rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_one(job: ExportJob, code: str) -> Exported:
    """Print ``code`` into the job's folder; a failure is reported, not raised (the batch goes on)."""
    try:
        s = services()
        renderer = thread_renderer(current_app.config, Path(current_app.instance_path))
        printout = print_record(s.db, s.clock, s.zone, renderer, job.actor, code,
                                current_app.config["COMPANY_NAME"], job.variant,
                                public_url=current_app.config["PUBLIC_URL"], channel="export")
        name = file_name(code, job.variant)
        write_atomically(job.out / name, printout.pdf)
    except Exception as exc:  # reported per record; the export carries on
        return Exported(code, error=f"{type(exc).__name__}: {exc}")
    return Exported(code, name, len(printout.pdf), hashlib.sha256(printout.pdf).hexdigest())


def run_export(app: Flask, job: ExportJob, codes: list[str], processes: int,
               progress: Callable[[Exported], None]) -> list[Exported]:
    """Export ``codes``; ``progress`` is called once per finished record, in completion order."""
    job.out.mkdir(parents=True, exist_ok=True)
    results = []
    for result in _results(app, job, codes, processes):
        progress(result)
        results.append(result)
    write_manifest(job.out, results)
    return results


def _results(app: Flask, job: ExportJob, codes: list[str], processes: int) -> Iterator[Exported]:
    if processes == 1 or len(codes) <= 1:
        for code in codes:
            yield export_one(job, code)
        return
    settings = {key: app.config[key] for key in SHARED_CONFIG if key in app.config}
    context = multiprocessing.get_context("spawn")  # no inherited database connections
    factory = port(AppBuilder, app).factory  # pickled by name: the workers import it themselves
    with context.Pool(min(processes, len(codes)), initializer=_start_worker,
                      initargs=(factory, app.instance_path, settings),
                      maxtasksperchild=TASKS_PER_WORKER) as pool:
        yield from pool.imap_unordered(_export_in_worker, [(job, code) for code in codes], chunksize=4)


def write_manifest(out: Path, results: list[Exported]) -> None:
    """``manifest.csv``: code, file, bytes, sha256 of every file written, in code order."""
    rows = sorted((r for r in results if r.file), key=lambda r: r.code)
    path = out / "manifest.csv"
    with tempfile.NamedTemporaryFile("w", dir=out, prefix=".manifest-", delete=False, newline="",
                                     encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "file", "bytes", "sha256"])
        writer.writerows([r.code, r.file, r.size, r.sha256] for r in rows)
    os.replace(handle.name, path)


def _start_worker(factory: AppFactory, instance_path: str, settings: dict[str, Any]) -> None:
    """Pool initializer: this process's own app (same instance and database) and renderer."""
    app = factory(settings, instance_path=instance_path)
    app.app_context().push()
    renderer = thread_renderer(app.config, Path(app.instance_path))
    Finalize(renderer, renderer.close, exitpriority=10)  # runs when a recycled worker exits


def _export_in_worker(task: tuple[ExportJob, str]) -> Exported:
    return export_one(*task)
