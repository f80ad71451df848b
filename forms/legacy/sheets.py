"""Reading a legacy register: CSV or XLSX, as sheets of rows, one row at a time.

A file is read twice by an import (the check, then the write), never held whole: XLSX through
openpyxl's read-only mode (rows streamed from the zipped XML), CSV decoded as it is read.
Rows are numbered as a spreadsheet program shows them (the header row is row 1 of a CSV; in an
XLSX the sheet's own row numbers), so a report's "row 12" is the line the archivist sees.
Blank rows are skipped. Whatever is wrong with the file itself (not CSV or XLSX, unreadable,
no header) is a :class:`BadFile` with one line to show, never a traceback.

CSV encodings: UTF-8 with or without a byte-order mark, else GB18030 (what Excel saves in a
Chinese office, a superset of GBK and GB2312); ``encoding`` overrides the guess. The guess
reads the file once through a strict UTF-8 decoder: a file that is valid UTF-8 all through is
UTF-8 (GB18030 text of any length is almost never valid UTF-8), anything else is GB18030.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

#: A cell as read: text (CSV, XLSX strings), a number, a bool, or a date/time from XLSX.
Cell = str | int | float | bool | date | datetime | time | None

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
#: What openpyxl raises on a workbook damaged past its first rows (a cut zip member, broken XML).
XLSX_DAMAGE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, EOFError, OSError,
               SyntaxError)


class BadFile(Exception):
    """The file cannot be read as a register; the message says why in one line."""


@dataclass(frozen=True)
class Row:
    number: int
    cells: tuple[Cell, ...]


@dataclass
class Sheet:
    """One sheet: its name (an XLSX sheet's, or a CSV file's stem), the header row's cells as
    text, and its data rows (a generator: read once)."""

    name: str
    headers: tuple[str, ...]
    header_row: int
    rows: Iterator[Row]


def read_sheets(path: Path, *, encoding: str | None = None) -> Iterator[Sheet]:
    """The file's sheets, each with its rows still to be read (read them before the next sheet)."""
    kind = file_kind(path)
    if kind == "xlsx":
        yield from _xlsx_sheets(path)
    else:
        yield _csv_sheet(path, encoding or guess_encoding(path))


def file_kind(path: Path) -> str:
    """``xlsx`` or ``csv``, by the file's name and its first bytes; :class:`BadFile` otherwise."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise BadFile(_("%(file)s cannot be read: %(why)s", file=path.name, why=exc.strerror or exc)) from exc
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        if head != _ZIP_MAGIC:
            raise BadFile(_("%(file)s is not an XLSX workbook (an .xlsx file is a zip archive).",
                            file=path.name))
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        if not head:
            raise BadFile(_("%(file)s is empty.", file=path.name))
        if head == _ZIP_MAGIC or b"\x00" in head:
            raise BadFile(_("%(file)s is not a text (CSV) file.", file=path.name))
        return "csv"
    raise BadFile(_("%(file)s is neither CSV nor XLSX: give a .csv or .xlsx file.", file=path.name))


def guess_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is UTF-8 (a BOM or none), else ``gb18030``."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_sheet(path: Path, encoding: str) -> Sheet:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise BadFile(_("Unknown encoding %(name)s.", name=encoding)) from exc
    handle = path.open(encoding=encoding, newline="", errors="strict")
    try:
        reader = csv.reader(handle)
        numbered = ((n, tuple(cells)) for n, cells in enumerate(reader, start=1))
        header_row, headers = _first_filled(numbered, path.name)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise BadFile(_("%(file)s cannot be read as %(encoding)s text: %(why)s", file=path.name,
                        encoding=encoding, why=exc)) from exc
    except BadFile:
        handle.close()
        raise
    return Sheet(path.stem, headers, header_row, _csv_rows(handle, numbered, path.name, encoding))


def _csv_rows(handle: Any, numbered: Iterator[tuple[int, tuple[Any, ...]]], name: str,
              encoding: str) -> Iterator[Row]:
    with handle:
        try:
            for number, cells in numbered:
                if any(str(c).strip() for c in cells):
                    yield Row(number, tuple(cells))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise BadFile(_("%(file)s cannot be read as %(encoding)s text: %(why)s", file=name,
                            encoding=encoding, why=exc)) from exc


def _xlsx_sheets(path: Path) -> Iterator[Sheet]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except XLSX_DAMAGE as exc:
        raise BadFile(_("%(file)s cannot be read as an XLSX workbook: %(why)s", file=path.name,
                        why=exc)) from exc
    try:
        found = False
        for sheet in book.worksheets:
            numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
            try:
                header_row, headers = _first_filled(numbered, f"{path.name} [{sheet.title}]")
            except BadFile:
                continue  # an empty sheet (a cover, notes) is no register
            except XLSX_DAMAGE as exc:
                raise BadFile(_("%(file)s cannot be read as an XLSX workbook: %(why)s", file=path.name,
                                why=exc)) from exc
            found = True
            yield Sheet(sheet.title, headers, header_row, _xlsx_rows(numbered, path.name))
        if not found:
            raise BadFile(_("%(file)s is empty: no sheet has a header row.", file=path.name))
    finally:
        book.close()


def _xlsx_rows(numbered: Iterator[tuple[int, tuple[Any, ...]]], name: str) -> Iterator[Row]:
    try:
        for number, cells in numbered:
            if any(c is not None and str(c).strip() for c in cells):
                yield Row(number, cells)
    except XLSX_DAMAGE as exc:
        raise BadFile(_("%(file)s cannot be read as an XLSX workbook: %(why)s", file=name, why=exc)) from exc


def _first_filled(numbered: Iterator[tuple[int, tuple[Any, ...]]], name: str) -> tuple[int, tuple[str, ...]]:
    """The first row with any text: the header, its cells as text (blank trailing cells cut)."""
    for number, cells in numbered:
        texts = [("" if c is None else str(c)).strip() for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            return number, tuple(texts)
    raise BadFile(_("%(file)s is empty: there is no header row.", file=name))
