"""The profile page (``/profile``, linked from the user's name in the header): who one is, and
one's own signature or stamp image, printed beside one's name where one signed or
countersigned a copy (:mod:`archive.marks`). An adapter: the service checks, stores and audits."""

from __future__ import annotations

import base64

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from archive.marks import MARK_KINDS, MARK_LIMITS, InvalidMark, keep_mark, mark_of, remove_mark
from archive.page_actions import form_errors
from archive.page_forms import MarkForm, RemoveMarkForm
from archive.stores import file_store
from archive.uploads import UploadRefused, read_capped
from core.auth.roles import Role
from core.web import current_actor, services

#: A role as the profile page names it (it showed the stored word, "supervisor", in Chinese too).
ROLE_NAMES = {Role.CLERK: _l("Staff member"), Role.SUPERVISOR: _l("Supervisor"),
              Role.ARCHIVIST: _l("Archivist"), Role.AUDITOR: _l("Auditor"),
              Role.ADMIN: _l("Administrator")}


@login_required
def profile() -> ResponseReturnValue:
    actor, s = current_actor(), services()
    form, removing = MarkForm(), RemoveMarkForm(prefix="remove")
    errors: dict[str, str] = {}
    if request.method == "POST" and removing.remove.data:
        if not removing.validate_on_submit():
            errors = form_errors(removing)
        elif remove_mark(s.db, s.clock, file_store(), actor):
            flash(_("Your signature or stamp was removed."), "success")
            return redirect(url_for("archive.profile"))
    elif request.method == "POST":
        errors = _keep(form)
        if not errors:
            flash(_("Your signature or stamp was saved; it prints beside your name."), "success")
            return redirect(url_for("archive.profile"))
    mark = mark_of(s.db, actor)
    preview = None
    if mark is not None:
        if request.method == "GET":  # a new image is most likely of the same kind
            form.kind.data = mark.kind
        preview = f"data:{mark.media_type};base64,{base64.b64encode(file_store().get(mark.key)).decode()}"
    return render_template("archive/profile.html", actor=actor, form=form, removing=removing, mark=mark,
                           role=ROLE_NAMES.get(actor.role, actor.role.value), preview=preview,
                           kinds=MARK_KINDS, errors=errors), 422 if errors else 200


def _keep(form: MarkForm) -> dict[str, str]:
    """The posted image kept as the actor's mark, or the problems by field."""
    if not form.validate_on_submit():
        return form_errors(form)
    storage = form.image.data
    if storage is None or not getattr(storage, "filename", ""):
        return {"image": _("Choose an image file of your signature or stamp.")}
    s = services()
    try:
        data = read_capped(storage.stream, MARK_LIMITS.max_bytes, storage.filename)
        keep_mark(s.db, s.clock, file_store(), current_actor(), form.kind.data or "", storage.filename, data)
    except UploadRefused as refused:
        return {"image": refused.message()}
    except InvalidMark as invalid:
        return invalid.errors
    return {}
