"""Why an uploaded file was refused, said in the user's language with the file's name.

The reasons are lazy texts (``_l``): a refusal is made wherever the check runs (a view, an
import, a test without a request) and is put into words when it is shown, in the language of
the page that shows it. :mod:`archive.uploads` documents the API these belong to.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: How much of a sent name a message shows: a 5,000-character name must not fill the page.
SHOWN_NAME_CHARS = 80
MB = 1024 * 1024


class UploadRefused(ValueError):
    """One file refused. ``file_name`` is the name as the user sent it (``None`` when the
    refusal is about the whole batch, such as too many files); ``reason`` a lazy text."""

    def __init__(self, file_name: str | None, reason: LazyString | str) -> None:
        super().__init__(f"{file_name!r}: {reason}")
        self.file_name = file_name
        self.reason = reason

    def shown_name(self) -> str:
        """The sent name as it can be shown: control characters as U+FFFD, trimmed; a file
        sent without a name is called so."""
        return displayable(self.file_name) if self.file_name else _("file without a name")

    def message(self) -> str:
        """「照片.jpg」：… / "photo.jpg": … in the current language."""
        if self.file_name is None:
            return str(self.reason)
        return _("“%(name)s”: %(reason)s", name=self.shown_name(), reason=str(self.reason))


class UploadsRefused(ValueError):
    """Every refusal of one batch, so a form shows all its messages at once."""

    def __init__(self, refusals: Sequence[UploadRefused]) -> None:
        super().__init__("; ".join(str(refusal) for refusal in refusals))
        self.refusals = tuple(refusals)

    def messages(self) -> list[str]:
        return [refusal.message() for refusal in self.refusals]


def displayable(name: str) -> str:
    """A sent name made safe to show: no control or format characters, at most
    :data:`SHOWN_NAME_CHARS` characters (an ellipsis marks the cut)."""
    shown = "".join("\ufffd" if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") else char
                    for char in name[: SHOWN_NAME_CHARS * 4])
    return shown if len(shown) <= SHOWN_NAME_CHARS else shown[: SHOWN_NAME_CHARS - 1] + "…"


def megabytes(size: int) -> str:
    """A byte count as megabytes for a message: 200 MB, 0.5 MB."""
    return f"{size / MB:.1f}".removesuffix(".0")


# The reasons. Each says what is wrong and, where the user can do something, what to do.

def empty() -> LazyString:
    return _l("the file is empty (0 bytes). Choose the file again; it may not have finished saving.")


def too_large(max_bytes: int) -> LazyString:
    return _l("the file is too large (over %(mb)s MB). Make it smaller, e.g. scan at a lower "
              "resolution, and upload it again.", mb=megabytes(max_bytes))


def too_many(sent: int, max_files: int) -> LazyString:
    return _l("%(sent)s files were sent; at most %(max)s may be attached here.", sent=sent, max=max_files)


def not_allowed(allowed: LazyString | str) -> LazyString:
    """``allowed`` may be lazy itself: it is put into words with the message."""
    return _l("the file's content is not one of the allowed types (%(allowed)s).", allowed=allowed)


def climbing_name() -> LazyString:
    return _l("the file name climbs out of its folder (../). Rename the file and upload it again.")


def no_name() -> LazyString:
    return _l("the file name has no usable characters. Rename the file and upload it again.")


def too_many_pixels(max_pixels: int, width: int | None = None, height: int | None = None) -> LazyString:
    most = f"{max_pixels / 1_000_000:g}"
    if width is None or height is None:
        return _l("the image has more than the %(max)s million pixels allowed.", max=most)
    return _l("the image is %(width)s × %(height)s pixels, more than the %(max)s million pixels "
              "allowed.", width=width, height=height, max=most)


def broken_image() -> LazyString:
    return _l("the image is damaged or incomplete and cannot be read. Save or export it again "
              "and upload the new file.")


def animated() -> LazyString:
    return _l("animated images are not accepted. Upload a still image (a photo or a scan).")


def heic_unreadable() -> LazyString:
    return _l("HEIC photos cannot be read on this server. Save the photo as JPEG (on an iPhone: "
              "Settings → Camera → Formats → Most Compatible) and upload it again.")


def pdf_encrypted() -> LazyString:
    return _l("the PDF is encrypted or password-protected. Save a copy without a password and "
              "upload that.")


def pdf_broken() -> LazyString:
    return _l("the PDF is damaged or incomplete and cannot be opened reliably. Save or export it "
              "again and upload the new file.")


def pdf_no_pages() -> LazyString:
    return _l("the PDF has no pages.")


def pdf_too_complex(max_objects: int) -> LazyString:
    return _l("the PDF is too complex to check (more than %(max)s objects). Split it or print it "
              "to a new PDF, and upload that.", max=f"{max_objects:,}")


def pdf_javascript() -> LazyString:
    return _l("the PDF contains JavaScript, which is not accepted. Print it to a new PDF "
              "(“Microsoft Print to PDF” or “Save as PDF”) and upload that.")


def pdf_launch() -> LazyString:
    return _l("the PDF contains an action that starts other programs or opens other files, "
              "which is not accepted. Print it to a new PDF and upload that.")


def pdf_attachments() -> LazyString:
    return _l("the PDF carries attached files, which are not accepted. Print it to a new PDF "
              "and upload that, and upload the attached files separately.")


def pdf_dynamic_form() -> LazyString:
    return _l("the PDF is a dynamic (XFA) form, which is not accepted. Print it to a new PDF "
              "and upload that.")
