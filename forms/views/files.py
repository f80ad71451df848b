"""A record's files: the original and its thumbnail, each read audited, and the page helpers.

``/records/<code>/files/<sha256>`` answers the file as stored (an image as cleaned on upload,
a PDF as sent) and ``…/thumb`` the record page's small image. Both go through
:func:`archive.attachments.attachment_file`: the record within the reader's scope or under an
access grant, the field's files withheld from a reader without the need when the field is
personal (the same rule as every masked value, :func:`forms.masking.needs_personal_data`),
and every answer or refusal in the audit trail as ``record.download`` naming the file.
Answers are never cached (``no-store``): a photo can be personal data.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.http import dump_options_header

from archive.attachments import attachment_file
from archive.records import RecordView
from archive.stores import file_store
from core.auth.roles import Actor, NotFound
from core.web import current_actor, services
from forms import versions
from forms.fields import REGISTRY
from forms.fields.files import size_text
from forms.file_intake import pending_token
from forms.masking import may_download_archival, needs_personal_data

SHA256 = re.compile(r"[0-9a-f]{64}")
#: The pages that post a record's fields, files included.
FILE_PAGES = frozenset({"forms.new_form", "forms.resume_draft", "forms.record_action"})
#: Their body cap (every file field of a form full, with the other fields): CP's six 10 MB photos.
PAGE_BODY_CAP = 64 * 1024 * 1024


def raise_cap_for_file_pages() -> None:
    """Let a signed-in person post a form page with its files. Run before every other
    before-request step (``forms.init_app`` puts it first): the global CSRF check reads the
    form, and with it the body, before any view could raise ``MAX_CONTENT_LENGTH`` (1 MiB), so
    a view setting ``request.max_content_length`` itself is too late. Other requests, and
    anyone not signed in, keep the 1 MiB cap; ``UPLOAD_PAGE_MAX_BYTES`` changes this one."""
    if request.method == "POST" and request.endpoint in FILE_PAGES and current_user.is_authenticated:
        request.max_content_length = current_app.config.get("UPLOAD_PAGE_MAX_BYTES", PAGE_BODY_CAP)


@login_required
def record_file(code: str, sha256: str) -> ResponseReturnValue:
    return file_response(current_actor(), code, sha256, thumbnail=False)


@login_required
def record_thumbnail(code: str, sha256: str) -> ResponseReturnValue:
    return file_response(current_actor(), code, sha256, thumbnail=True)


def file_response(actor: Actor, code: str, sha256: str, *, thumbnail: bool) -> Response:
    """The original (or its thumbnail) for ``actor``, the page's and the API's answer alike;
    raises NotFound or PermissionDenied (audited) for each caller to answer in its format."""
    if not SHA256.fullmatch(sha256):
        raise NotFound(f"{code}: no such file")
    s = services()
    found, data = attachment_file(s.db, s.clock, file_store(), actor, code, sha256,
                                  thumbnail=thumbnail,
                                  may_have=lambda record, field: may_have_files(actor, record, field))
    if thumbnail:
        return _answer(data, "image/jpeg", f"{found.sha256[:16]}.thumb.jpg", None)
    return _answer(data, found.media_type, found.name, found.sha256)


def may_have_files(actor: Actor, record: RecordView, field_name: str) -> bool:
    """Whether ``actor`` may have the files of ``field_name`` of ``record``: a personal field's
    only with the need (its submitter, the spec's roles in its department)."""
    spec = versions.spec_version(services().db, record.form_code, record.form_version)
    field = spec.field(field_name)
    if field is None:  # a legacy record's scan (forms.legacy): the paper form whole, like the archival copy
        return may_download_archival(spec, actor, record)
    if not REGISTRY[field.type].holds_personal(field):
        return True
    return needs_personal_data(spec, actor, record.submitted_by, record.department_code)


def _answer(data: bytes, media_type: str, name: str, sha256: str | None) -> Response:
    """Shown in the browser (an image, a PDF), under its name, never cached or sniffed."""
    disposition = dump_options_header("inline", {  # "; " between parameters: a ", " is read as two headers
        "filename": name.encode("ascii", "replace").decode(), "filename*": "UTF-8''" + quote(name, safe="")})
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-store",
               "X-Content-Type-Options": "nosniff"}
    if sha256:
        headers["X-Content-SHA256"] = sha256
    return Response(data, mimetype=media_type, headers=headers)


def kept_file_token(descriptor: dict[str, Any]) -> str:
    """Template global: the signed token a form sends back to keep a file it has taken."""
    return pending_token(current_actor().user_id, descriptor)


def file_size(size: Any) -> str:
    """Template filter: 820 KB, 2.4 MB."""
    return size_text(size)
