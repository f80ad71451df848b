"""Uploaded PDFs: opened with qpdf (pikepdf) and every object looked at; stored unchanged.

A PDF is refused when it is encrypted (also owner-password-only files, whose restrictions the
archive could not honour when it prints), when qpdf cannot open it or had to rebuild its
structure (a truncated or damaged file: what a viewer shows of it is a guess), when it has no pages, and when
any object carries:

- JavaScript: a ``/JS`` or ``/JavaScript`` key or an action ``/S /JavaScript`` anywhere, which
  covers the document's names tree, ``/OpenAction``, page, annotation and form-field ``/AA``
  actions, and JavaScript hidden in compressed object streams (qpdf reads those, and it decodes
  ``#``-escaped names, so ``/J#61vaScript`` is ``/JavaScript`` by the time we look);
- actions that reach outside the document: ``/Launch`` (start a program), ``/GoToE``/``/GoToR``
  and ``/ImportData`` (open other files), ``/SubmitForm`` (send the form's data somewhere),
  ``/RichMedia`` and ``/Movie``/``/Sound``/``/Rendition`` (embedded players);
- attached files (``/EmbeddedFiles``, a file specification's ``/EF``, embedded file streams,
  file attachment annotations): they can be anything,
  an executable or another PDF with JavaScript, which the archive can neither check nor show;
- an XFA form, whose XML can carry scripts that are not ``/JS`` keys.

Plain links (``/GoTo``, ``/URI`` to http(s), mailto or tel) are fine; a ``javascript:`` URI
counts as JavaScript and ``file:`` and other schemes as outside actions. The walk visits every
indirect object once and the direct objects inside it, so it costs time linear in the number
of objects, which is capped (:data:`MAX_OBJECTS`, read from the trailer before the walk).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from flask_babel import LazyString

from archive import upload_refusals as reasons
from archive.upload_refusals import UploadRefused

SCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})
OUTSIDE_ACTIONS = frozenset({"/Launch", "/GoToE", "/GoToR", "/ImportData", "/SubmitForm",
                             "/RichMedia", "/Movie", "/Sound", "/Rendition"})
ATTACHMENT_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/RF"})  # names tree, a file spec's files
LINK_SCHEMES = frozenset({"", "http", "https", "mailto", "tel"})
PREVIEW_SECONDS = 10
#: The most objects (the trailer's /Size) a PDF may have: the walk costs ~36 us an object in
#: Python (100,000 objects: 3.6 s; 600,000 tiny objects fit in 35 MB and took 15 s, 770 MB).
#: A 1,000-page text PDF has some tens of thousands.
MAX_OBJECTS = 100_000
#: Words of qpdf's warnings when it reads past what the file's structure says (truncation, a
#: broken cross-reference table or stream): see _damaged.
DAMAGE_SIGNS = ("damaged", "reconstruct", "eof", "parse error", "startxref", "xref", "endstream",
                "stream length", "unable to find")
CONTAINERS = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)


@dataclass(frozen=True)
class CheckedPdf:
    pages: int


def check_pdf(file_name: str, data: bytes) -> CheckedPdf:
    """The PDF's page count; :class:`UploadRefused` naming the first problem found."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _checked(file_name, pdf)
    except UploadRefused:  # a ValueError too: let it through before the broad catch below
        raise
    except pikepdf.PasswordError as error:
        raise UploadRefused(file_name, reasons.pdf_encrypted()) from error
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, RuntimeError, RecursionError) as error:
        raise UploadRefused(file_name, reasons.pdf_broken()) from error


def _checked(file_name: str, pdf: pikepdf.Pdf) -> CheckedPdf:
    if pdf.is_encrypted:
        raise UploadRefused(file_name, reasons.pdf_encrypted())
    if _damaged(pdf.get_warnings()):  # rebuilt while opening: refused before walking a guess
        raise UploadRefused(file_name, reasons.pdf_broken())
    declared = pdf.trailer.get("/Size")
    if not isinstance(declared, int) or declared > MAX_OBJECTS:
        raise UploadRefused(file_name, reasons.pdf_too_complex(MAX_OBJECTS))
    if "/XFA" in pdf.Root.get("/AcroForm", {}):
        raise UploadRefused(file_name, reasons.pdf_dynamic_form())
    pages = len(pdf.pages)
    problem = _first_problem(pdf)
    if problem is not None:
        raise UploadRefused(file_name, problem)
    if _damaged(pdf.get_warnings()):
        raise UploadRefused(file_name, reasons.pdf_broken())
    if pages == 0:
        raise UploadRefused(file_name, reasons.pdf_no_pages())
    return CheckedPdf(pages=pages)


def _damaged(warnings: list[str]) -> bool:
    """qpdf had to rebuild the file's structure while reading it (a truncated or damaged file:
    what a viewer shows of it is a guess). Its repairs of small slips that every viewer
    tolerates, such as a page without /Resources, are not damage."""
    return any(sign in warning.lower() for warning in warnings for sign in DAMAGE_SIGNS)


def _first_problem(pdf: pikepdf.Pdf) -> LazyString | None:
    for dictionary in _dictionaries(pdf):
        keys = set(dictionary.keys())
        action = dictionary.get("/S")
        if keys & SCRIPT_KEYS or action == pikepdf.Name.JavaScript:
            return reasons.pdf_javascript()
        if isinstance(action, pikepdf.Name) and str(action) in OUTSIDE_ACTIONS:
            return reasons.pdf_launch()
        if action == pikepdf.Name.URI and not _plain_link(dictionary.get("/URI")):
            return reasons.pdf_javascript() if _scheme(dictionary.get("/URI")) == "javascript" \
                else reasons.pdf_launch()
        if keys & ATTACHMENT_KEYS or dictionary.get("/Subtype") == pikepdf.Name.FileAttachment \
                or dictionary.get("/Type") == pikepdf.Name.EmbeddedFile:
            return reasons.pdf_attachments()
    return None


def _scheme(uri: object) -> str:
    text = bytes(uri).decode("latin-1") if isinstance(uri, pikepdf.String) else ""
    match = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", "".join(text.split()))
    return match.group(1).lower() if match else ""


def _plain_link(uri: object) -> bool:
    """A web or mail link (or a relative one, which viewers resolve against the document's own
    address). ``javascript:`` runs a script, ``file:`` and the rest open things outside."""
    return _scheme(uri) in LINK_SCHEMES


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary | pikepdf.Stream]:
    """Every dictionary (and stream dictionary) of the file: the trailer, each indirect object,
    and the direct objects nested in them. Indirect references are not followed (each indirect
    object is visited from ``pdf.objects``), so cycles cannot loop."""
    pending: list[pikepdf.Object] = [pdf.trailer, *pdf.objects]
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            yield item
            children = list(item.values())
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        pending.extend(child for child in children
                       if isinstance(child, CONTAINERS) and not child.is_indirect)


def pdf_thumbnail(data: bytes, longest_side: int) -> bytes | None:
    """The first page as a small JPEG by poppler's pdftoppm (a system package the project
    installs), or None when it is missing, fails or takes over :data:`PREVIEW_SECONDS`."""
    if shutil.which("pdftoppm") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="dossier-preview-") as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        command = ["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-jpeg", "-scale-to",
                   str(longest_side), str(source), str(Path(folder) / "page")]
        try:
            subprocess.run(command, capture_output=True, timeout=PREVIEW_SECONDS, check=True)  # noqa: S603
        except (subprocess.SubprocessError, OSError):
            return None
        page = Path(folder) / "page.jpg"
        return page.read_bytes() if page.exists() else None
