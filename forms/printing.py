"""Printing a record: plain data from the record and its form version, into the print layout.

The template context is plain strings and lists (no ORM objects, no callables), and the
layout has its own autoescaping Jinja environment, so printing needs no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from archive.content import CanonicalContent, canonical_content
from archive.marks import MarkImage, mark_images
from archive.records import RecordView, get_record
from archive.stores import file_store
from core.auth.roles import Actor
from core.clock import Clock, local
from core.config import DEFAULTS, PROJECT_ROOT
from core.db import Database
from core.i18n import pick
from forms import versions
from forms.attachment_printing import printed_images
from forms.fields import REGISTRY, Reading, is_empty
from forms.masking import shown_record
from forms.names import Names, display, load_names
from forms.pdf.images import IMAGE_SCHEME, Image
from forms.pdf.qr import qr_svg
from forms.pdf.render import Renderer
from forms.register_print import record_layout
from forms.spec.model import FieldSpec, FormSpec
from forms.steps import printed

LAYOUTS = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates" / "pdf"),
                      autoescape=select_autoescape(default=True, default_for_string=True))


DEFAULT_PUBLIC_URL = DEFAULTS["PUBLIC_URL"]

#: The two-part forms (RS): each part is the whole form, labelled for who keeps it.
COPIES = {"business": "业务联（公司留存）", "customer": "客户联（交客户收执）"}
RECEIPT = "receipt"
#: The revision action of a correction (勘误), marked on every copy printed after it.
CORRECTION = "correct"


class UnknownVariant(ValueError):
    """The requested print variant does not exist for this form; the message lists those that do."""


@dataclass(frozen=True)
class Printout:
    code: str
    pdf: bytes
    variant: str | None


def print_record(db: Database, clock: Clock, zone: ZoneInfo, renderer: Renderer, actor: Actor,
                 code: str, company: str, variant: str | None = None, *,
                 public_url: str = DEFAULT_PUBLIC_URL, channel: str = "pdf") -> Printout:
    """The record's handout as PDF; permission-checked and audited as ``record.print``.

    Without a variant a two-part form prints both labelled parts; ``variant`` picks one part,
    or another layout such as the complaint ``receipt``.
    """
    record = get_record(db, clock, actor, code, channel=channel, purpose="print")
    spec = versions.spec_version(db, record.form_code, record.form_version)
    declared = spec.print_layout.get("variants", [])
    if variant is not None and variant not in declared:
        allowed = ", ".join(declared) or "none"
        raise UnknownVariant(f"{spec.code} has no print variant {variant!r} (variants: {allowed})")
    shown = shown_record(spec, actor, record)  # personal fields masked unless the actor needs them
    names = load_names(db)
    context = print_context(spec, record, zone, company, printed_at=local(clock.now(), zone),
                            public_url=public_url, has_logo=renderer.logo is not None, shown=shown,
                            names=names)
    marks = mark_images(db, file_store(), {record.submitted_by: record.submitted_at,
                                           record.countersigned_by or "": record.countersigned_at})
    context.update(mark_urls(record, marks))
    if variant == RECEIPT:
        htmls = [LAYOUTS.get_template("receipt.html").render(**context,
                                                             **receipt_context(spec, shown, zone, names))]
    else:  # each part its own document, so each numbers its own pages (bound into one PDF)
        parts = [variant] if variant else [v for v in declared if v in COPIES]
        copies = [COPIES[part] for part in parts] or [None]
        layout = record_layout(LAYOUTS, spec, record)  # the destruction register has its own
        htmls = [layout(**context, copies=[copy]) for copy in copies]
    images = {mark.sha256: Image(mark.media_type, mark.data) for mark in marks.values()}
    images.update(printed_images(file_store(), context["fields"]))  # a file field's photos
    return Printout(record.code, renderer.render_parts(htmls, images=images).pdf, variant)


def mark_urls(record: RecordView, marks: dict[str, MarkImage]) -> dict[str, str | None]:
    """Where the layout finds the filler's and the countersigner's own signature or stamp
    (:mod:`archive.marks`), printed beside their names; None for a person without one. Handouts
    only: the archival copy is the record as filed and does not change with a profile."""
    def url(username: str | None) -> str | None:
        mark = marks.get(username or "")
        return f"{IMAGE_SCHEME}{mark.sha256}" if mark else None

    return {"filler_mark": url(record.submitted_by),
            "countersigner_mark": url(record.countersigned_by) if record.countersigned_at else None}




def receipt_context(spec: FormSpec, record: RecordView, zone: ZoneInfo,
                    names: Names | None = None) -> dict[str, Any]:
    def shown(name: str) -> str:
        field = spec.field(name)
        value = record.data.get(name)
        return display(field, value, "zh", names or Names()) if field and value is not None else ""

    def moment(value: datetime | None) -> str:
        return local(value, zone).strftime("%Y-%m-%d %H:%M") if value else ""

    # The stored deadline (forms.deadlines.refreshed), as the page, the API and the statistics
    # read it: computed again here, a receipt printed after a calendar change or a pause would
    # promise another time than the record page shows.
    return {"received_at": shown("received_at"), "customer": shown("customer_name"),
            "channel": shown("channel"), "level": shown("level"), "deadline": moment(record.due_at),
            "paused_since": moment(record.deadline_paused_at)}


def verify_url(public_url: str, record: RecordView, short_fingerprint: str) -> str:
    """What the QR code says: where to check this copy, and the fingerprint of what it shows
    (:attr:`archive.content.CanonicalContent.short_fingerprint`)."""
    return f"{public_url.rstrip('/')}/verify/{record.code}?r={record.revision}&f={short_fingerprint}"


def print_context(spec: FormSpec, record: RecordView, zone: ZoneInfo, company: str,
                  printed_at: datetime | None, *, public_url: str, has_logo: bool,
                  shown: RecordView | None = None, names: Names | None = None,
                  content: CanonicalContent | None = None) -> dict[str, Any]:
    """Everything the layout shows, as plain data (labels in Chinese, as the office prints);
    users and departments by their (Chinese) names when ``names`` are given.

    ``printed_at`` None is the archival rendition: nothing in it may depend on when it is made.
    ``shown`` is the record with personal fields masked for a reader without the need: its
    fields are printed, while the QR code still carries the stored record's fingerprint.
    ``content``: ``record``'s canonical content if the caller has computed it (the archival copy
    attaches its JSON), else computed here.
    """
    names = names or Names()
    fields = printed_fields(spec, record, shown, Reading("zh", names))
    submitted = local(record.submitted_at, zone)
    changed = record.revisions[-1].at if record.revisions else record.submitted_at
    fingerprint = (content or canonical_content(record)).short_fingerprint
    url = verify_url(public_url, record, fingerprint)
    return {
        "company": company, "title": spec.title["zh"], "title_en": spec.title["en"],
        "form_code": spec.code, "form_version": spec.version, "code": record.code,
        "department": record.department_name[0],
        "state": spec.workflow.states.get(record.state, {}).get("zh", record.state),
        "submitted_at": submitted.strftime("%Y-%m-%d %H:%M"),
        "submitted_date": submitted.strftime("%Y-%m-%d"),
        "filler": record.submitted_by_name,
        "countersigner": record.countersigned_by_name,
        "countersigned_date": local(record.countersigned_at, zone).strftime("%Y-%m-%d")
        if record.countersigned_at else "",
        "printed_at": printed_at.strftime("%Y-%m-%d %H:%M") if printed_at else None,
        "revision": record.revision, "changed_at": local(changed, zone).strftime("%Y-%m-%d %H:%M"),
        "fields": fields, "has_logo": has_logo, "verify_url": url, "qr": Markup(qr_svg(url)),  # noqa: S704 - our own SVG, no user text
        "fingerprint": fingerprint, "corrections": corrections(record, zone, spec, shown, names),
        "created_iso": record.submitted_at.isoformat(), "modified_iso": changed.isoformat(),
        **notice_context(record),
    }


def notice_context(record: RecordView) -> dict[str, Any]:
    """The privacy notice line (templates/pdf/_notice.html): the notice the record was submitted
    under, kept with it, so a record of v1 prints v1 after the notice has moved on."""
    notice = record.notice
    return {"imported": record.imported,
            "notice": None if notice is None else {
                "id": notice.notice_id, "version": notice.version,
                "purpose_zh": notice.purpose.get("zh", ""), "purpose_en": notice.purpose.get("en", "")}}


def printed_fields(spec: FormSpec, record: RecordView, shown: RecordView | None,
                   reading: Reading) -> list[dict[str, Any]]:
    """Each field a copy prints (a later step's once filled), from ``shown``'s data (masked
    where the reader lacks the need), with its type's remark on the stored record."""
    fields = []
    for field in printed(spec, record.data):
        kind, value = REGISTRY[field.type], (shown or record).data.get(field.name)
        remark = None if value is None else kind.remark(field, value, spec, record.data)
        fields.append({"label": field.label["zh"], "wide": kind.wide_on_paper,
                       **kind.printed(field, value, reading), "remark": pick(remark, "zh")})
    return fields


def corrections(record: RecordView, zone: ZoneInfo, spec: FormSpec | None = None,
                shown: RecordView | None = None, names: Names | None = None) -> list[dict[str, Any]]:
    """Every correction so far: who, when, why and what it changed, for the "corrected" box.
    Each changed field prints its value before (struck through: still readable, as the record
    page's history shows it) beside the value after. Changes are found in the stored data and
    printed from ``shown``'s (masked where the reader lacks the need), as the record page does."""
    printed_revisions = (shown or record).revisions
    found: list[dict[str, Any]] = []
    for index, revision in enumerate(record.revisions):
        if revision.action != CORRECTION:
            continue
        changes = [] if spec is None or index == 0 else [
            {"name": field.name, "label": field.label["zh"],
             "before": _on_paper(field, printed_revisions[index - 1].data, names),
             "after": _on_paper(field, printed_revisions[index].data, names)}
            for field in spec.fields
            if record.revisions[index - 1].data.get(field.name) != revision.data.get(field.name)]
        found.append({"by": revision.actor_name or revision.actor, "reason": revision.reason or "",
                      "at": local(revision.at, zone).strftime("%Y-%m-%d %H:%M"), "changes": changes})
    return found


def _on_paper(field: FieldSpec, data: dict[str, Any], names: Names | None) -> str:
    """A field's value as a correction prints it ("—" for none; a table by its number of rows)."""
    value = data.get(field.name)
    if is_empty(value):
        return "—"
    return REGISTRY[field.type].change_on_paper(field, value, Reading("zh", names or Names())) or "—"
