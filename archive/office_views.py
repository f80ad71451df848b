"""The records office's pages: the filing queue, the catalogue (with CSV), the disposal lists
and the review list (legal holds: archive.hold_views). Adapters only: every rule and permission
is in the services (archive.filing, catalogue, disposal); their addresses are in archive.routes,
their input in archive.page_forms."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from archive import catalogue, disposal, file_catalogue, retention, transfer, witnesses
from archive.archival_codes import retention_code
from archive.disclosure import shown_titles
from archive.filing import queue_page
from archive.office import KEEPERS
from archive.page_actions import records_office_page, try_form, try_step
from archive.page_forms import (
    ApproveForm,
    CatalogueFilterForm,
    ConfirmForm,
    ExecuteForm,
    ItemFilterForm,
    ProposalForm,
    RejectForm,
    ReviewForm,
    TombstoneFilterForm,
    WitnessesForm,
)
from archive.ports import archive_ports
from archive.retention import ClassView
from core.auth.names import load_names
from core.clock import local
from core.errors import render_error
from core.i18n import current_locale
from core.web import current_actor, page_number, services


def list_labels() -> dict[str, Any]:
    """The archive pages' ``list_states``: a destruction list's state in the page's language."""
    return {"list_states": disposal.state_labels()}


def retention_names() -> dict[str, Any]:
    """App-wide ``class_name``: a destroyed record's page shows its class too."""
    return {"class_name": _class_names()}


def _class_names() -> Callable[[str], str]:
    """``class_name(code)`` for the pages: "code name" in the page's language, the classes read
    once per page and only if the page shows one (a code no class has any more shows alone)."""
    names: dict[str, ClassView] = {}

    def class_name(code: str) -> str:
        if not names:
            names.update((c.code, c) for c in retention.list_classes(services().db))
        found = names.get(code)
        if found is None:
            return code
        return f"{code} {found.name_zh if current_locale() == 'zh' else found.name_en}"

    return class_name


#: How each catalogue output is audited (``record.<purpose>``).
CATALOGUE_PURPOSES = {"csv": "export", "pdf": "print"}
#: The id prefix of each review form field on the review list (its rows' fields end in the code).
REVIEW_FIELDS = {"keep_years": "keep", "reason": "reason"}


@records_office_page
def office() -> ResponseReturnValue:
    s = services()
    queue = queue_page(s.db, s.clock, current_actor(), archive_ports().filing_rules(),
                       page=page_number())
    if queue.page > 1 and not queue.items:
        return redirect(url_for(".office"))  # past the end (an old link): the first page
    waiting = shown_titles(s.db, current_actor(), queue.items)
    return render_template("archive/office.html", waiting=waiting, queue=queue, form=FlaskForm())


@records_office_page
def catalogue_page() -> ResponseReturnValue:
    s = services()
    asked = CatalogueFilterForm(formdata=request.args, year=str(s.clock.now().astimezone(s.zone).year))
    form_code = asked.form_code.data
    if not asked.validate():
        flash(" ".join(asked.year.errors), "error")
        return render_template("archive/catalogue.html", entries=[], volumes=[], form_code=form_code,
                               year=asked.year.data, volume=""), 400
    year, volume, output = int(asked.year.data), asked.volume.data, asked.output.data
    if output in CATALOGUE_PURPOSES:
        return _catalogue_file(form_code, year, volume, output)
    shown = catalogue.catalogue_page(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                     page=page_number())
    entries = shown_titles(s.db, current_actor(), shown.entries)  # this page's titles alone
    return render_template("archive/catalogue.html", entries=entries, shown=shown, form_code=form_code,
                           year=year, volume=volume, volumes=shown.volumes)


def _catalogue_file(form_code: str, year: int, volume: str, output: str) -> ResponseReturnValue:
    """The whole catalogue (every page) as CSV or as a printed PDF."""
    s = services()
    entries = catalogue.catalogue(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                  purpose=CATALOGUE_PURPOSES[output])
    entries = shown_titles(s.db, current_actor(), entries)
    name = f"catalogue-{form_code}-{year}{'-' + volume if volume else ''}"
    if output == "csv":
        return _csv(entries, f"{name}.csv")
    return _pdf(entries, catalogue.CatalogueHeading(form_code, year, volume or None,
                                                    local(s.clock.now(), s.zone)), f"{name}.pdf")


def remark_labels() -> dict[str, str]:
    """A 归档文件目录 item's remarks (备注) in the page's language."""
    return {"corrected": _("corrected after filing"), "imported": _("imported from a paper register"),
            "on_hold": _("on legal hold")}


def item_choices() -> dict[str, Any]:
    """What the 归档文件目录's filters suggest: the retention codes of today's classes and the
    organisation codes of the settings, with the department each stands for."""
    codes = {retention_code(c) for c in retention.list_classes(services().db)}
    organisations = current_app.config["ARCHIVAL_ORGANISATIONS"]
    return {"retention_codes": sorted(codes, key=lambda c: (c != "Y", len(c), c)),
            "organisation_codes": sorted((code, department) for department, code in organisations.items())}


@records_office_page
def file_catalogue_page() -> ResponseReturnValue:
    """The 归档文件目录: a year's filed items in 档号 order, a page at a time, or all as CSV/PDF."""
    s = services()
    asked = ItemFilterForm(formdata=request.args, year=str(s.clock.now().astimezone(s.zone).year))
    if not asked.validate():
        errors = {name: " ".join(field.errors) for name, field in asked._fields.items() if field.errors}
        return render_template("archive/file_catalogue.html", items=[], shown=None, asked=asked,
                               errors=errors, remarks=remark_labels(), **item_choices()), 400
    wanted = file_catalogue.ItemFilter(int(asked.year.data), asked.retention.data or None,
                                       asked.organisation.data or None)
    if asked.output.data in CATALOGUE_PURPOSES:
        return _items_file(wanted, asked.output.data)
    shown = file_catalogue.items_page(s.db, s.clock, s.zone, current_actor(), wanted, page=page_number())
    found = shown_titles(s.db, current_actor(), shown.items)
    return render_template("archive/file_catalogue.html", items=found, shown=shown, asked=asked,
                           errors={}, remarks=remark_labels(), **item_choices(),
                           transfers=transfer.transfers(s.db, current_actor()))


def _items_file(wanted: file_catalogue.ItemFilter, output: str) -> ResponseReturnValue:
    """Every item ``wanted`` names as CSV or as the printed 归档文件目录."""
    s = services()
    found = file_catalogue.items(s.db, s.clock, s.zone, current_actor(), wanted,
                                 purpose=CATALOGUE_PURPOSES[output])
    found = shown_titles(s.db, current_actor(), found)
    name = "file-catalogue-" + "-".join(str(part) for part in (wanted.year, wanted.retention,
                                                                 wanted.organisation) if part)
    if output == "csv":
        return _text_csv(file_catalogue.csv_rows(found, load_names(s.db), current_locale()), f"{name}.csv")
    heading = file_catalogue.ItemHeading(wanted, current_app.config["ARCHIVAL_FONDS"],
                                         local(s.clock.now(), s.zone))
    return _printed(lambda printer: printer.items(heading, found), f"{name}.pdf")


@records_office_page
def tombstone_page() -> ResponseReturnValue:
    """Destroyed records: what existed, when it went and on whose approval."""
    s, asked = services(), TombstoneFilterForm(formdata=request.args)
    form_code, year_text = asked.form_code.data, asked.year.data
    if not asked.validate():
        errors, found = {"year": " ".join(asked.year.errors)}, []
    else:
        errors, found = {}, catalogue.tombstones(s.db, s.clock, current_actor(), form_code=form_code or None,
                                                 year=int(year_text) if year_text else None)
    return render_template("archive/tombstones.html", tombstones=found, form_code=form_code, year=year_text,
                           errors=errors), 400 if errors else 200


def _pdf(entries: list[catalogue.CatalogueEntry], heading: catalogue.CatalogueHeading,
         name: str) -> ResponseReturnValue:
    return _printed(lambda printer: printer(heading, entries), name)


def _printed(prints: Callable[[catalogue.CataloguePrinter], bytes], name: str) -> ResponseReturnValue:
    """A catalogue printed by the app's printer, inline; 503 saying why if it cannot print."""
    try:
        pdf = prints(archive_ports().catalogue_printer())
    except catalogue.PrintUnavailable as exc:
        return render_error(503, str(exc))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def _csv(entries: list[catalogue.CatalogueEntry], name: str) -> Response:
    rows: list[list[object]] = [["number", "code", "title", "pages", "formed", "volume", "retention_class",
                                 "retention_until"]]
    rows += [[e.number, e.code, e.title, e.pages or "", e.formed.isoformat(), e.volume, e.retention_class,
              e.retention_until.isoformat() if e.retention_until else "permanent"] for e in entries]
    return _text_csv(rows, name)


def _text_csv(rows: list[list[object]], name: str) -> Response:
    """``rows`` (the header first) as a CSV download, with the BOM Excel needs to read UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@records_office_page
def disposal_page() -> ResponseReturnValue:
    s, form = services(), ProposalForm()
    proposed = try_form(form, lambda: disposal.propose(s.db, s.clock, s.zone, current_actor(),
                                                       form.codes.data or [], form.note.data or ""))
    if proposed.accepted and proposed.done is not None:
        flash(_("Destruction list %(id)d proposed; an administrator approves it.", id=proposed.done.id),
              "success")
        return redirect(url_for(".disposal_list", list_id=proposed.done.id))
    due = disposal.due_page(s.db, s.clock, s.zone, current_actor(), page=page_number())
    lists, older = disposal.recent_lists(s.db, current_actor(), page=page_number("lists"))
    past_end = (due.page > 1 and not due.items) or (page_number("lists") > 1 and not lists)
    if request.method == "GET" and past_end:
        return redirect(url_for(".disposal_page"))  # past the end (an old link): the first pages
    return render_template("archive/disposal.html", due=shown_titles(s.db, current_actor(), due.items),
                           due_page=due, lists=lists, lists_page=page_number("lists"), older_lists=older,
                           form=form, errors=proposed.errors), 400 if proposed.errors else 200


@records_office_page
def disposal_list(list_id: int) -> ResponseReturnValue:
    """One destruction list; an administrator approves or rejects it, the keeper who will
    execute it names two witnesses, each witness confirms as themselves, then it is executed
    (small forms, told apart by their ``step``)."""
    s, actor = services(), current_actor()
    forms = ApproveForm(), RejectForm(), WitnessesForm(), ConfirmForm(), ExecuteForm()
    approve, reject, named, confirm, execute = forms
    actions: dict[str, Callable[[], object]] = {
        "approve": lambda: disposal.decide(s.db, s.clock, actor, list_id, approve=True),
        "reject": lambda: disposal.decide(s.db, s.clock, actor, list_id, approve=False,
                                          reason=reject.reason.data or ""),
        "witnesses": lambda: witnesses.name_witnesses(
            s.db, s.clock, actor, list_id, (named.witness_1.data or "", named.witness_2.data or "")),
        "confirm": lambda: witnesses.confirm(s.db, s.clock, actor, list_id),
        "execute": lambda: disposal.execute(s.db, s.clock, s.zone, actor, list_id,
                                            archive_ports().disposal_hooks()),
    }
    taken = try_step(forms, actions)
    if taken.accepted:
        flash(_step_taken(taken.step, disposal.get_list(s.db, actor, list_id)), "success")
        return redirect(url_for(".disposal_list", list_id=list_id))
    listed = disposal.get_list(s.db, actor, list_id)
    if listed.state == "approved" and actor.role in KEEPERS:
        choices = [("", _("Choose…")), *witnesses.eligible(s.db, actor)]
        named.witness_1.choices = named.witness_2.choices = choices  # type: ignore[assignment]
        if not named.is_submitted() and len(listed.witnesses) == 2:
            named.witness_1.data, named.witness_2.data = (w.username for w in listed.witnesses)
    return render_template("archive/disposal_list.html", listed=listed, approve=approve, reject=reject,
                           witnesses_form=named, confirm=confirm, execute=execute, errors=taken.errors,
                           keeper=actor.role in KEEPERS, me=actor.username), 400 if taken.errors else 200


def _step_taken(step: str, listed: disposal.ListView) -> str:
    """What a destruction list's step says once taken."""
    if step == "execute":
        return _("Destruction list executed; the destruction register is %(code)s.",
                 code=listed.register_code or "—")
    if step == "approve":
        return _("Destruction list approved; name its two witnesses, who each confirm before it is executed.")
    if step == "witnesses":
        return _("Witnesses named; each of them confirms on this page, signed in as themselves.")
    if step == "confirm":
        return _("Your confirmation as a witness is recorded.")
    return _("Destruction list rejected.")


@records_office_page
def review_page() -> ResponseReturnValue:
    s, form = services(), ReviewForm()
    decided = try_form(form, lambda: disposal.review(
        s.db, s.clock, s.zone, current_actor(), form.code.data or "",
        keep_years=int(form.keep_years.data.strip()), reason=form.reason.data or ""))
    if decided.accepted:
        flash(_("Decision recorded."), "success")
        return redirect(url_for(".review_page"))
    # each row is a form: name the row's own field
    errors = {f"{REVIEW_FIELDS.get(name, 'row')}-{form.code.data or ''}": message
              for name, message in decided.errors.items()}
    due = disposal.due_page(s.db, s.clock, s.zone, current_actor(), action="review", page=page_number())
    if request.method == "GET" and due.page > 1 and not due.items:
        return redirect(url_for(".review_page"))  # past the end (an old link): the first page
    return render_template("archive/review.html", due=shown_titles(s.db, current_actor(), due.items),
                           due_page=due, form=form, errors=errors), 400 if errors else 200
