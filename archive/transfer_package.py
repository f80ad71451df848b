"""The year's transfer package on disk: its layout, and reading it back to verify it.

A plain folder (the archive service centre takes it on a disc, a drive or over its upload; it can
be zipped as it is), every name and byte fixed by the archive's content so that the same year
gives the same package, except ``manifest.json``'s ``transferred_at`` (and ``transferred_by``
when someone else runs it)::

    manifest.json                         every other file with its SHA-256 and size; the year,
                                          the fonds, when and by whom
    README.txt                            this layout, in Chinese and English
    SHA256SUMS                            every file but itself and the manifest, for sha256sum -c
    catalogue/catalogue.pdf               the 归档文件目录 as printed (no print time on it)
    catalogue/catalogue.csv               the same, one row per item, with its file's SHA-256
    catalogue/catalogue.json              the same as JSON, with every file of every item
    records/<档号>/<档号>.pdf              the archival PDF/A of the revision that was filed
    records/<档号>/<档号>.r<N>.pdf         the archival PDF/A of each correction since (revision N)
    records/<档号>/<档号>.json             the record: its data, every revision, its files

Verifying re-reads it from disk: the manifest against every file (SHA-256 and size; a file
missing, changed or not listed is named), then every PDF opened with pikepdf and its pages
counted against the catalogue's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from flask_babel import gettext as _

from archive.portability import MANIFEST, PortabilityError, check_manifest

KIND = "transfer"
CATALOGUE_PDF, CATALOGUE_CSV, CATALOGUE_JSON = ("catalogue/catalogue.pdf", "catalogue/catalogue.csv",
                                                "catalogue/catalogue.json")
README = "README.txt"
#: Every file but itself and the manifest in ``sha256sum``'s format: ``sha256sum -c SHA256SUMS``
#: checks the package with nothing but coreutils.
CHECKSUMS = "SHA256SUMS"
README_TEXT = """年度移交包 / Annual transfer package

manifest.json              本包每个文件的 SHA-256 与大小；年度、全宗号、移交时间与移交人
                           every other file with its SHA-256 and size; year, fonds, when and by whom
SHA256SUMS                 同上，供 sha256sum -c 校验 / the same for `sha256sum -c SHA256SUMS`
catalogue/catalogue.pdf    归档文件目录（按档号顺序） / the item catalogue in archival-reference order
catalogue/catalogue.csv    同上，每件一行，附文件 SHA-256 / the same, one row per item, with SHA-256
catalogue/catalogue.json   同上（JSON），附每件的全部文件 / the same as JSON, with every file of an item
records/<档号>/<档号>.pdf   归档时的 PDF/A 归档版本 / the archival PDF/A of the filed revision
records/<档号>/<档号>.rN.pdf 归档后更正形成的 PDF/A（第 N 版） / the PDF/A of a later correction (revision N)
records/<档号>/<档号>.json  记录数据、全部修订与文件 / the record's data, every revision, its files

校验：sha256sum -c SHA256SUMS，或逐一计算 SHA-256 与 manifest.json 比对。
Check: sha256sum -c SHA256SUMS, or compare each file's SHA-256 with manifest.json.
"""


class PackageProblem(PortabilityError):
    """The package on disk is not what was written; the message names the file."""


def record_folder(archival_code: str) -> str:
    return f"records/{archival_code}"


def copy_name(archival_code: str, revision: int, filed_revision: int) -> str:
    """The archival copy's path: the filed one under the 档号 alone, later ones with their revision."""
    suffix = "" if revision == filed_revision else f".r{revision}"
    return f"{record_folder(archival_code)}/{archival_code}{suffix}.pdf"


@dataclass(frozen=True)
class Verified:
    files: int
    pdfs: int


def verify_package(folder: Path, progress: Callable[[int, int], None] = lambda _n, _total: None) -> Verified:
    """Re-read the package at ``folder``: every file against the manifest, every PDF opened and its
    pages counted against the catalogue. Raises :class:`PackageProblem` naming the first problem;
    ``progress`` is told (1, files listed) per file checked."""
    total = _listed(folder)
    try:
        manifest = check_manifest(folder, KIND, lambda step: progress(step, total))
    except PackageProblem:
        raise
    except PortabilityError as exc:
        raise PackageProblem(str(exc)) from exc
    expected = _expected_pages(folder)
    pdfs = [entry["path"] for entry in manifest["files"] if entry["path"].endswith(".pdf")]
    for path in pdfs:
        pages = _pages(folder / path, path)
        if path in expected and expected[path] is not None and expected[path] != pages:
            raise PackageProblem(_("%(file)s: %(pages)d page(s), the catalogue says %(listed)d",
                                   file=path, pages=pages, listed=expected[path]))
    return Verified(len(manifest["files"]), len(pdfs))


def _listed(folder: Path) -> int:
    try:
        return len(json.loads((folder / MANIFEST).read_text("utf-8")).get("files", []))
    except (OSError, ValueError, AttributeError):
        return 0  # check_manifest names the problem


def _pages(path: Path, name: str) -> int:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise PackageProblem(_("%(file)s: does not open as a PDF (%(problem)s)",
                               file=name, problem=exc)) from exc


def _expected_pages(folder: Path) -> dict[str, int | None]:
    """Each listed file's pages, as catalogue.json says (the archival copies only)."""
    try:
        catalogue: dict[str, Any] = json.loads((folder / CATALOGUE_JSON).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageProblem(_("%(file)s: cannot be read (%(problem)s)",
                               file=CATALOGUE_JSON, problem=exc)) from exc
    return {file["path"]: file.get("pages") for item in catalogue.get("items", [])
            for file in item.get("files", [])}
