"""The archive's pages: checking a copy against the archive, and the stored archival file.

``/verify/<code>`` is public (the QR code on a printed copy leads there); checking a file by
upload and downloading the archival PDF/A need a signed-in user allowed to see the record.
The addresses are in archive.routes.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from archive.disclosure import current_disclosure
from archive.page_forms import VerifyFileForm
from archive.stores import file_store
from archive.verification import BadVerificationLink, parse_link, verify_file, verify_fingerprint
from core.web import current_actor, services


def verify_link(code: str) -> ResponseReturnValue:
    """Where a printed copy's QR code leads: does this copy match the archive?"""
    try:
        parts = parse_link(code, request.args.get("r"), request.args.get("f"))
    except BadVerificationLink as exc:
        return render_template("archive/verify.html", problem=str(exc), result=None), 400
    result = verify_fingerprint(services().db, services().clock, *parts)
    return render_template("archive/verify.html", result=result, problem=None)


@login_required
def verify_upload() -> ResponseReturnValue:
    """Check a PDF file byte for byte against the stored archival copies."""
    form = VerifyFileForm()
    result = None
    if form.validate_on_submit():
        data = form.document.data.read()
        if not data.startswith(b"%PDF-"):
            form.document.errors = [_("This file is not a PDF.")]
        else:
            result = verify_file(services().db, services().clock, current_actor(), data)
    status = 400 if form.errors else 200
    return render_template("archive/verify_file.html", form=form, result=result), status


@login_required
def archival_pdf(code: str) -> ResponseReturnValue:
    """The stored PDF/A, as filed (a download, audited as ``record.download``)."""
    revision = request.args.get("revision", type=int)
    view, data = current_disclosure().archival_file(
        services().db, services().clock, file_store(), current_actor(), code,
        revision)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{view.code}.r{view.revision}.pdf"',
        "X-Content-SHA256": view.sha256})
