"""Record pages: one record with its data and history, and the paged lists."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from archive.catalogue import tombstone_of
from archive.record_lists import list_records
from archive.records import RecordView, RevisionView
from core.auth.roles import NotFound
from core.errors import render_error
from core.i18n import current_locale, pick
from core.notifications.service import read_on_opening
from core.web import current_actor, page_number, services
from forms import steps, versions
from forms.conflicts import conflict_note
from forms.customers.view import codes_with_customers
from forms.fields import REGISTRY, Reading
from forms.file_intake import thumbnailed
from forms.legacy.scans import SCAN_FIELD
from forms.masking import may_download_archival, shown_record
from forms.names import Names
from forms.pdf.archival import archival_status
from forms.pdf.fonts import PdfSetupError
from forms.pdf.service import pdf_response
from forms.printing import UnknownVariant
from forms.spec.model import FormSpec
from forms.spec_disclosure import shown_page
from forms.views.context import request_names
from forms.views.files import may_have_files
from forms.workflow import actions_for
from search.query import record_code


@login_required
def record(code: str) -> ResponseReturnValue:
    canonical = record_code(code) or code.upper()
    if code != canonical:  # typed short or in lower case (cp-2026-1): the record's own address
        return redirect(url_for("forms.record", code=canonical), 301)
    actor = current_actor()
    try:
        view, actions = actions_for(services().db, services().clock, actor, code, channel="web")
    except NotFound:
        gone = tombstone_of(services().db, services().clock, actor, code)
        if gone is None:
            raise
        return render_template("archive/destroyed.html", tombstone=gone), 410
    # the notices about it are read by opening it (the header count drops at once)
    read_on_opening(services().db, actor.user_id, view.code, services().clock.now())
    spec = versions.spec_version(services().db, view.form_code, view.form_version)
    shown = shown_record(spec, actor, view)  # personal fields masked unless the actor needs them
    locale, names = current_locale(), request_names()
    filled = steps.printed(spec, view.data)  # a later step's fields once filled, as on paper
    return render_template("forms/record.html", record=shown, spec=spec, actions=actions,
                           rows=[row for row in display_rows(spec, shown.data, locale, names)
                                 if row["field"] in filled],
                           history=history(spec, view, locale, shown=shown, names=names),
                           archival=archival_status(services().db, view),
                           archival_allowed=may_download_archival(spec, actor, view),
                           thumbnails=thumbnailed(services().db, spec, view.code, view.data),
                           scan=view.legacy_scan if view.legacy_scan and may_have_files(
                               actor, view, SCAN_FIELD) else None,
                           conflict=conflict_note(services().db, services().clock, actor, view.flags),
                           customer_linked=bool(codes_with_customers(services().db, [view.code])))


#: Revisions the system appends outside the spec's workflow, labelled for the history.
SYSTEM_ACTIONS = {"anonymise": {"zh": "个人信息匿名化", "en": "Personal data anonymised"},
                  "import": {"zh": "从历史档案导入", "en": "Imported from a legacy register"}}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    revision: RevisionView
    label: dict[str, str]  # the action's name as the spec labels it
    changes: tuple[Change, ...]  # what this revision changed, as displayed


def history(spec: FormSpec, record: RecordView, locale: str, *,
            shown: RecordView | None = None, names: Names | None = None) -> list[HistoryEntry]:
    """Every revision with the fields it changed (before → after), newest last. Changes are
    found in ``record``'s data and displayed from ``shown``'s (the same record, masked), so a
    changed name that masks the same still shows as changed, and never in full."""
    entries = []
    previous: tuple[dict[str, Any], dict[str, Any]] | None = None
    masked = shown.revisions if shown is not None else record.revisions
    for revision, shown_rev in zip(record.revisions, masked, strict=True):
        transition = spec.workflow.transition(revision.action)
        label = dict(transition.label) if transition else dict(SYSTEM_ACTIONS.get(revision.action, {}))
        changes = () if previous is None else _changes(spec, previous, (revision.data, shown_rev.data),
                                                       locale, names or Names())
        entries.append(HistoryEntry(replace(revision, data=shown_rev.data), label, changes))
        previous = (revision.data, shown_rev.data)
    return entries


def _changes(spec: FormSpec, before: tuple[dict[str, Any], dict[str, Any]],
             after: tuple[dict[str, Any], dict[str, Any]], locale: str, names: Names) -> tuple[Change, ...]:
    """(stored, displayed) data before and after → the displayed changes."""
    changes, reading = [], Reading(locale, names)
    for field in spec.fields:
        if before[0].get(field.name) != after[0].get(field.name):
            kind = REGISTRY[field.type]
            changes.append(Change(pick(field.label), kind.change(field, before[1].get(field.name), reading),
                                  kind.change(field, after[1].get(field.name), reading)))
    return tuple(changes)


@login_required
def record_pdf(code: str) -> ResponseReturnValue:
    """The record's handout, shown inline; the print is audited."""
    try:
        return pdf_response(current_actor(), code)
    except UnknownVariant as exc:
        return render_error(400, str(exc))
    except PdfSetupError as exc:
        return render_error(503, str(exc))


@login_required
def record_list() -> ResponseReturnValue:
    scope = "department" if request.args.get("scope") == "department" else "mine"
    actor = current_actor()
    listed = list_records(services().db, services().clock, actor, mine=scope == "mine",
                          page=page_number())
    if listed.page > listed.pages:  # past the end (an old link, a typed number): not "no records yet"
        return redirect(url_for("forms.record_list", scope=scope, page=listed.pages))
    page = shown_page(services().db, actor, listed)  # titles name customers: masked where not needed
    specs = _specs_for(page.items)
    return render_template("forms/records.html", page=page, scope=scope, specs=specs)


def display_rows(spec: FormSpec, data: dict[str, Any], locale: str,
                 names: Names | None = None) -> list[dict[str, Any]]:
    """(label, shown value, table rows for repeating fields) for every field of the version;
    users and departments by name (the request's names unless given)."""
    shown, reading = [], Reading(locale, names or request_names())
    for field in spec.fields:
        kind, value = REGISTRY[field.type], data.get(field.name)
        table = kind.table(field, value, reading)
        shown.append({"field": field, "value": "" if table is not None else kind.shown(field, value, reading),
                      "table": table, "svg": None if value is None else kind.drawing(field, value),
                      "remark": "" if value is None else pick(kind.remark(field, value, spec, data), locale),
                      "files": kind.files(field, value) if value else ()})
    return shown


def _specs_for(items: tuple[RecordView, ...]) -> dict[tuple[str, int], FormSpec]:
    keys = {(item.form_code, item.form_version) for item in items}
    return {key: versions.spec_version(services().db, *key) for key in keys}
