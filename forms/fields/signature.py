"""The ``signature`` field type: a signature drawn on the page, or "signed on paper".

The signer draws with a finger, a stylus or the mouse on a pad (``static/js/signature-pad.js``);
a keyboard user, or a page without JavaScript, ticks "signed on paper" instead. What is stored
is our own small vector format, never markup from the client:

* ``{"strokes": [[[x, y], …], …]}``: each stroke a list of points, integer coordinates in a
  fixed box of :data:`WIDTH` × :data:`HEIGHT` (the pad scales whatever size it is drawn at), at
  most :data:`MAX_STROKES` strokes, :data:`MAX_POINTS` points per stroke and
  :data:`MAX_TOTAL_POINTS` in all, so a value is at most some tens of kilobytes;
* or ``{"on_paper": true}``: the signer signed the printed copy;
* or ``{"anonymised": true}``: what anonymisation leaves of a personal signature
  (:meth:`Signature.placeholder`), so that a later correction still finds the field answered
  where it is required; a client cannot send it (:func:`refused_signatures`);
* plus, once a service has taken it, ``captured_by`` (username), ``captured_at`` (UTC, RFC 3339
  with microseconds, from the application's clock) and ``fingerprint`` (what the signer saw,
  :func:`seen_fingerprint`). These three are set by :func:`stamp_signatures` on the server and
  never taken from the client: a value sent with them is stamped again, unless its drawing is
  the one already stored, which keeps its stamp (an action page sends the stored drawing back).

Pages and printed copies draw the strokes as SVG paths made here (:func:`signature_svg`), with
numbers only in them; WeasyPrint lays out inline SVG without fetching anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, Field, Form, FormField, HiddenField
from wtforms.fields.core import UnboundField

from core.i18n import pick
from forms.fields.base import REGISTRY, BuildContext, FieldType, ParseError, Reading, register
from forms.fields.scalar import DATETIME_PATTERN
from forms.spec.model import FieldSpec, FormSpec

WIDTH, HEIGHT = 1000, 300
MAX_STROKES = 60
MAX_POINTS = 600
MAX_TOTAL_POINTS = 4000
#: The longest strokes text the page may post (``[1000,300],`` is 11 characters a point).
MAX_STROKES_TEXT = MAX_TOTAL_POINTS * 12 + MAX_STROKES * 2 + 2
DRAWING_KEYS = ("strokes", "on_paper", "anonymised")
STAMP_KEYS = ("captured_by", "captured_at", "fingerprint")
USERNAME_MAX = 64
FINGERPRINT_PATTERN = "^[0-9a-f]{64}$"
ON_PAPER = {"zh": "签于纸面", "en": "Signed on paper"}
SIGNED = {"zh": "已签名", "en": "Signed"}
ANONYMISED = {"zh": "已匿名", "en": "Anonymised"}
WITHHELD = {"zh": "已签名（不予显示）", "en": "Signed (withheld)"}
CHANGED_AFTER_SIGNING = {"zh": "签名后记录内容已更改",
                         "en": "The record was changed after this signature was taken"}


def _point_schema() -> dict[str, Any]:
    return {"type": "array", "minItems": 2, "maxItems": 2,
            "prefixItems": [{"type": "integer", "minimum": 0, "maximum": WIDTH},
                            {"type": "integer", "minimum": 0, "maximum": HEIGHT}]}


class SignatureInput(Form):
    """What the page posts: the strokes as JSON text (the pad's hidden input) and the box."""

    strokes = HiddenField()
    on_paper = BooleanField(_l("Signed on paper (no drawing)"))


class SignatureField(FormField):
    """The pad's two inputs; ``limits`` tell the pad's script what the server takes."""

    limits: ClassVar[dict[str, int]] = {"width": WIDTH, "height": HEIGHT, "strokes": MAX_STROKES,
                                        "points": MAX_POINTS, "total": MAX_TOTAL_POINTS}


@register
class Signature(FieldType):
    name = "signature"
    extra_keys = frozenset({"signer"})
    #: Printed in the signature box at the foot of the copy, not in the grid of values.
    signs: ClassVar[bool] = True

    def check_spec(self, spec: FieldSpec) -> list[str]:
        return [] if spec.signer else ['needs signer = { zh = "…", en = "…" } (who signs)']

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        strokes = {"type": "array", "minItems": 1, "maxItems": MAX_STROKES,
                   "items": {"type": "array", "minItems": 1, "maxItems": MAX_POINTS,
                             "items": _point_schema()}}
        return {"type": "object", "additionalProperties": False,
                "properties": {"strokes": strokes, "on_paper": {"const": True}, "anonymised": {"const": True},
                               "captured_by": {"type": "string", "minLength": 1, "maxLength": USERNAME_MAX},
                               "captured_at": {"type": "string", "pattern": DATETIME_PATTERN},
                               "fingerprint": {"type": "string", "pattern": FINGERPRINT_PATTERN}},
                "oneOf": [{"required": [key]} for key in DRAWING_KEYS]}

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return SignatureField(SignatureInput, label=pick(spec.label, ctx.locale),
                              description=pick(spec.help, ctx.locale))

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        """The page's ``{"strokes": "<JSON text>", "on_paper": bool}`` (or a draft kept from the
        API with the value itself) → the stored value without a stamp; None when neither."""
        if raw is None or raw == "":
            return None
        if not isinstance(raw, dict):
            raise ParseError(_("The signature could not be read; clear it and sign again."))
        strokes = _strokes_from_page(raw.get("strokes"))
        on_paper = raw.get("on_paper") in (True, "y", "on", "true")
        if strokes and on_paper:
            raise ParseError(_("Either draw the signature or tick “signed on paper”, not both."))
        if on_paper:
            return {"on_paper": True}
        if not strokes:
            return None
        value = {"strokes": strokes}
        problem = signature_problem(value)
        if problem:
            raise ParseError(problem)
        return value

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        return signature_problem(value)

    def explain(self, spec: FieldSpec, value: Any) -> str | None:
        return signature_problem(value)

    def format_message(self) -> str:
        return _("The signature's stamp is not in the expected format.")

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """Coordinates as integers (JSON Schema takes ``5.0`` as an integer), keys in one order."""
        drawing = drawing_of(value)
        return {**drawing, **{key: value[key] for key in STAMP_KEYS if key in value}}

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        if not isinstance(value, dict):
            return ""
        if value.get("anonymised"):
            return pick(ANONYMISED, locale)
        if value.get("withheld"):
            return pick(WITHHELD, locale)
        return pick(ON_PAPER if value.get("on_paper") else SIGNED, locale)

    def drawing(self, spec: FieldSpec, value: Any) -> Markup | None:
        return signature_svg(value, pick(spec.label)) if isinstance(value, dict) else None

    def remark(self, spec: FieldSpec, value: Any, form: FormSpec,
               data: dict[str, Any]) -> dict[str, str] | None:
        """Said when the record no longer holds what the signer saw: its other fields were
        changed after the signature was taken (a correction that kept the signature)."""
        seen = value.get("fingerprint") if isinstance(value, dict) and "strokes" in value else None
        return CHANGED_AFTER_SIGNING if seen and seen != seen_fingerprint(form, data) else None

    def printed(self, spec: FieldSpec, value: Any, reading: Reading) -> dict[str, Any]:
        """The text, and the drawing as SVG for the signature box (the signer named)."""
        text = self.shown(spec, value, reading)
        svg = signature_svg(value, pick(spec.label, "zh")) if isinstance(value, dict) else None
        return {"value": text, "svg": svg, "signature": True, "signer": pick(spec.signer, "zh")}

    def change(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        """In the history, who took the signature and when (the drawing is on the page)."""
        text = self.shown(spec, value, reading)
        if isinstance(value, dict) and value.get("captured_by"):
            who = reading.names.user(value["captured_by"])
            return f"{text} ({who}, {value.get('captured_at', '')[:19].replace('T', ' ')} UTC)"
        return text

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        """For a reader without the need: that it was signed, never the drawing (a customer's
        handwriting). Withholding it outright read as "never signed" on the page, the printed
        box and the API alike; on paper and anonymised hold nothing personal and stay as they
        are. Who took it and when (staff) stay."""
        if not isinstance(value, dict):
            return None
        stamp = {key: value[key] for key in ("captured_by", "captured_at") if key in value}
        flag = drawing_of(value)
        return {**(flag if "strokes" not in flag else {"withheld": True}), **stamp}

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        """The drawing goes; who took it and when (staff, not the customer) stay, and the field
        stays answered: RS requires it after a face-to-face visit, and a correction validates
        the whole record."""
        return {"anonymised": True, **{key: value[key] for key in STAMP_KEYS if key in value}}

    def searchable(self, spec: FieldSpec, value: Any) -> tuple[str, ...]:
        return ()  # a drawing is found by nothing

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        if not isinstance(value, dict):
            return None
        strokes = value.get("strokes")
        return {"strokes": json.dumps(strokes, separators=(",", ":")) if strokes else "",
                "on_paper": bool(value.get("on_paper"))}

    def keep_untouched(self, spec: FieldSpec, read: Any, shown: Any, stored: Any) -> Any:
        """The drawing sent back as stored keeps its stamp (who took it, when, what was seen)."""
        same = isinstance(read, dict) and isinstance(stored, dict) and drawing_of(read) == drawing_of(stored)
        return stored if same else read

    def error_anchor(self, spec: FieldSpec, widget: Field) -> str:
        """The "signed on paper" box: the one part of the field every reader can reach."""
        return f"{widget.id}-on_paper"


def _strokes_from_page(text: Any) -> list[Any] | None:
    """The pad's hidden input: JSON text of the strokes (a list kept by a draft is taken as is)."""
    if isinstance(text, list):
        return text or None
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str) or len(text) > MAX_STROKES_TEXT:
        raise ParseError(_("The signature is too long; clear it and sign again."))
    try:
        strokes = json.loads(text)
    except ValueError as exc:
        raise ParseError(_("The signature could not be read; clear it and sign again.")) from exc
    if not isinstance(strokes, list):
        raise ParseError(_("The signature could not be read; clear it and sign again."))
    return strokes or None


def _is_int(value: Any) -> bool:
    """JSON's whole numbers: 5 and 5.0, never true/false (bool is an int in Python)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def signature_problem(value: Any) -> str | None:
    """What is wrong with a signature value, in words (None: nothing). Checks everything the
    JSON Schema does and the total number of points, which the schema cannot count."""
    if not isinstance(value, dict):
        return _("Send a signature as {\"strokes\": [[[x, y], …], …]} or {\"on_paper\": true}.")
    unknown = sorted(str(key) for key in value if key not in DRAWING_KEYS + STAMP_KEYS)
    if unknown:
        return _("A signature holds only strokes or on_paper; “%(key)s” is not accepted.",
                 key=unknown[0][:40])
    if sum(key in value for key in DRAWING_KEYS) != 1:
        return _("A signature is either drawn (strokes) or signed on paper (on_paper), one of the two.")
    flag = next((key for key in ("on_paper", "anonymised") if key in value), None)
    if flag is not None and value[flag] is not True:
        return _("%(key)s can only be true.", key=flag)
    return _strokes_problem(value.get("strokes")) if "strokes" in value else _stamp_problem(value)


def _strokes_problem(strokes: Any) -> str | None:
    if not isinstance(strokes, list) or not strokes:
        return _("The signature has no strokes; draw it, or tick “signed on paper”.")
    if len(strokes) > MAX_STROKES:
        return _("The signature has more than %(n)d strokes; clear it and sign again.", n=MAX_STROKES)
    total = 0
    for number, stroke in enumerate(strokes, start=1):
        if not isinstance(stroke, list) or not stroke or len(stroke) > MAX_POINTS:
            return _("Stroke %(n)d must be a list of 1 to %(max)d points.", n=number, max=MAX_POINTS)
        total += len(stroke)
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2 and all(_is_int(c) for c in point)
                    and 0 <= point[0] <= WIDTH and 0 <= point[1] <= HEIGHT):
                return _("Stroke %(n)d has a point that is not [x, y] with whole numbers within "
                         "0–%(w)d and 0–%(h)d.", n=number, w=WIDTH, h=HEIGHT)
    if total > MAX_TOTAL_POINTS:
        return _("The signature has more than %(n)d points; clear it and sign again.", n=MAX_TOTAL_POINTS)
    return None


def _stamp_problem(value: dict[str, Any]) -> str | None:
    by, at, seen = (value.get(key) for key in STAMP_KEYS)
    if by is not None and not (isinstance(by, str) and 0 < len(by) <= USERNAME_MAX):
        return _("captured_by must be a username.")
    if at is not None and not _is_moment(at):
        return _("captured_at must be a time like 2026-11-23T14:30:00.123456+00:00.")
    if seen is not None and not (isinstance(seen, str) and len(seen) == 64
                                 and all(c in "0123456789abcdef" for c in seen)):
        return _("fingerprint must be 64 hexadecimal digits.")
    return None


def _is_moment(text: Any) -> bool:
    return isinstance(text, str) and re.match(DATETIME_PATTERN, text) is not None


def drawing_of(value: Any) -> dict[str, Any]:
    """The signer's part of a value, without the stamp: strokes as integers, or on paper."""
    if not isinstance(value, dict):
        return {}
    for flag in ("on_paper", "anonymised"):
        if value.get(flag) is True:
            return {flag: True}
    strokes = value.get("strokes")
    if not isinstance(strokes, list):
        return {}
    return {"strokes": [[[int(x), int(y)] for x, y in stroke] for stroke in strokes]}


# --- Drawing -------------------------------------------------------------------------------

STROKE_WIDTH = 5


def signature_svg(value: dict[str, Any], label: str) -> Markup | None:
    """The drawing as an inline SVG of paths (numbers only; ``label`` escaped), None for a
    signature on paper. One point alone is drawn as a dot."""
    strokes = drawing_of(value).get("strokes")
    if not strokes:
        return None
    paths = []
    for stroke in strokes:
        head, *tail = stroke
        if tail:
            d = f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in tail)
            paths.append(f'<path d="{d}"/>')
        else:
            paths.append(f'<circle cx="{head[0]}" cy="{head[1]}" r="{STROKE_WIDTH / 2 + 1}" '
                         'fill="#111" stroke="none"/>')
    return Markup(  # noqa: S704 - numbers we made and an escaped label, nothing else
        f'<svg xmlns="http://www.w3.org/2000/svg" class="signature-drawing" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(label)}"><g fill="none" stroke="#111" stroke-width="{STROKE_WIDTH}" '
        f'stroke-linecap="round" stroke-linejoin="round">{"".join(paths)}</g></svg>')


# --- Stamping ------------------------------------------------------------------------------

def signature_fields(spec: FormSpec) -> tuple[FieldSpec, ...]:
    return tuple(f for f in spec.fields if getattr(REGISTRY[f.type], "signs", False))


def seen_fingerprint(spec: FormSpec, data: dict[str, Any]) -> str:
    """SHA-256 (hex) of what a signer saw: the canonical JSON (sorted keys, no spaces, UTF-8) of
    ``{"form": code, "version": n, "data": …}`` where ``data`` is the record's validated data
    in its stored form *without any signature field* (a signature cannot cover itself, and a
    second signer's signature is not what the first one saw) *and without file fields* (their
    files are attached to the record, not read by the signer: RS's scan of the signed customer
    copy is added after the signature by design). Recomputing it from a later revision's data
    tells whether the content changed after the signature was taken."""
    signed = {f.name for f in spec.fields
              if getattr(REGISTRY[f.type], "signs", False) or REGISTRY[f.type].upload_rules(f) is not None}
    document = {"form": spec.code, "version": spec.version,
                "data": {k: v for k, v in data.items() if k not in signed}}
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def refused_signatures(spec: FormSpec, data: dict[str, Any], stored: dict[str, Any]) -> dict[str, str]:
    """Signatures in ``data`` (validated) a person or client may not send: ``anonymised``
    unless the record already holds it (only anonymisation writes it)."""
    return {field.name: _("Only anonymisation marks a signature anonymised; draw it, or tick "
                          "“signed on paper”.")
            for field in signature_fields(spec)
            if drawing_of(data.get(field.name)) == {"anonymised": True}
            and drawing_of(stored.get(field.name)) != {"anonymised": True}}


def stamp_signatures(spec: FormSpec, data: dict[str, Any], stored: dict[str, Any], by: str,
                     now: datetime) -> dict[str, Any]:
    """``data`` (validated) with each signature stamped by the server: a drawing that is not the
    one in ``stored`` (the record's data before; ``{}`` on submission) gets ``by``, ``now`` in
    UTC and :func:`seen_fingerprint` of ``data``; the stored drawing keeps its stamp; whatever
    stamp the client sent is dropped."""
    fields = signature_fields(spec)
    if not any(f.name in data for f in fields):
        return data
    seen = seen_fingerprint(spec, data)
    at = now.astimezone(UTC).isoformat(timespec="microseconds")
    stamped = dict(data)
    for field in fields:
        value, before = data.get(field.name), stored.get(field.name)
        if value is None:
            continue
        if isinstance(before, dict) and drawing_of(before) == drawing_of(value) and before.get("captured_by"):
            stamped[field.name] = before
        else:
            stamped[field.name] = {**drawing_of(value), "captured_by": by, "captured_at": at,
                                   "fingerprint": seen}
    return stamped
