"""Files on a record: a ``file`` field holds photos or scans (defect photos, a signed copy).

A spec declares what the field takes::

    [[fields]]
    name = "photos"
    type = "file"
    accept = ["image"]      # kinds: "image", "pdf" (at least one)
    max_files = 6           # 1-20, default 1
    max_mb = 10             # each file, above 0 and at most 50, default 10
    print = "images"        # the handout prints images in a block; "list" (default): names

The stored value is a list of ``{"sha256", "name", "type", "size"}``, one per file, in the
revision's data: so it is fingerprinted with the rest of the record, and every revision says
which files it holds. The bytes are in the file store under their content key
(:func:`archive.files.content_key`); :mod:`archive.attachments` keeps a row per file and record.
What reaches :meth:`File.parse` is never a person's bytes: the intake (:mod:`forms.file_intake`)
checks the uploads by content, stores them and hands the descriptors on.

A reader without the need sees a personal file field withheld (how many files, not their names,
which can be personal too: "张三身份证.jpg"); an anonymised record drops the files.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from wtforms import MultipleFileField
from wtforms.fields.core import UnboundField
from wtforms.widgets import FileInput

from core.i18n import pick
from forms.fields.base import BuildContext, FieldType, FileRules, ParseError, Reading, StoredFileRef, register
from forms.spec.model import FieldSpec

#: The kinds a spec's ``accept`` may name, and the media types each stands for (what the upload
#: check reports: it reads the content, never the name or the browser's word).
KINDS = {"image": ("image/",), "pdf": ("application/pdf",)}
#: What the file picker offers for each kind (a hint for the phone: the check is by content).
PICKER = {"image": "image/*", "pdf": "application/pdf,.pdf"}
PRINT_MODES = ("images", "list")
DEFAULT_MAX_MB = 10
MAX_MB_LIMIT = 50
MAX_FILES_LIMIT = 20
MB = 1024 * 1024
SHA256 = "^[0-9a-f]{64}$"
#: A withheld file as a reader without the need gets it: that there is one, of what kind.
WITHHELD = "withheld"


class AttachmentsField(MultipleFileField):
    """The files of one field as posted: new ones (``FileStorage``), and ones accepted by an
    earlier post of the same page, which it sends back as signed tokens (strings) under the
    same name, so a page refused for another field keeps the files already taken. A resumed
    draft or a refused page fills ``data`` with the stored descriptors (dicts). ``multiple``
    only where the field takes more than one file (``render_kw``)."""

    widget = FileInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [value for value in valuelist if (isinstance(value, FileStorage) and value.filename)
                     or (isinstance(value, str) and value)]


def _option(spec: FieldSpec, key: str, default: Any) -> Any:
    return spec.options.get(key, default)


def is_descriptor(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("sha256"), str) and re.fullmatch(
        SHA256[1:-1], item["sha256"]) is not None


@register
class File(FieldType):
    name = "file"
    extra_keys = frozenset({"accept", "max_files", "max_mb", "print"})
    wide_on_paper = True

    def check_spec(self, spec: FieldSpec) -> list[str]:
        problems = []
        accept = _option(spec, "accept", None)
        known = isinstance(accept, list) and all(isinstance(kind, str) and kind in KINDS for kind in accept)
        if not accept or not known:
            problems.append(f"accept must list the kinds of file it takes, some of: {', '.join(KINDS)}")
        max_files = _option(spec, "max_files", 1)
        if isinstance(max_files, bool) or not isinstance(max_files, int) \
                or not 1 <= max_files <= MAX_FILES_LIMIT:
            problems.append(f"max_files must be a whole number from 1 to {MAX_FILES_LIMIT}")
        max_mb = _option(spec, "max_mb", DEFAULT_MAX_MB)
        if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or not 0 < max_mb <= MAX_MB_LIMIT:
            problems.append(f"max_mb must be a number above 0 and at most {MAX_MB_LIMIT}")
        if _option(spec, "print", "list") not in PRINT_MODES:
            problems.append(f"print must be one of: {', '.join(PRINT_MODES)}")
        if spec.indexed:
            problems.append("a file field cannot be indexed (its files are not text)")
        return problems

    def upload_rules(self, spec: FieldSpec) -> FileRules:
        return FileRules(kinds=tuple(_option(spec, "accept", ["image"])),
                         max_files=int(_option(spec, "max_files", 1)),
                         max_bytes=int(float(_option(spec, "max_mb", DEFAULT_MAX_MB)) * MB))

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        rules = self.upload_rules(spec)
        item = {"type": "object", "additionalProperties": False,
                "required": ["sha256", "name", "type", "size"],
                "properties": {"sha256": {"type": "string", "pattern": SHA256},
                               "name": {"type": "string", "minLength": 1, "maxLength": 255},
                               "type": {"type": "string", "minLength": 1, "maxLength": 100},
                               "size": {"type": "integer", "minimum": 1, "maximum": rules.max_bytes}}}
        schema: dict[str, Any] = {"type": "array", "items": item, "maxItems": rules.max_files}
        if spec.required:
            schema["minItems"] = 1
        return schema

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        """``accept`` hints the picker: for ``image/*`` a phone offers its camera *and* its
        photos. No ``capture``: with it Android and iOS open the camera alone, and a clerk could
        not attach the photo a customer sent by chat (the help says "take or choose")."""
        rules = self.upload_rules(spec)
        render_kw: dict[str, Any] = {"accept": ",".join(PICKER[kind] for kind in rules.kinds)}
        if rules.max_files > 1:
            render_kw["multiple"] = True
        return AttachmentsField(pick(spec.label, ctx.locale), description=pick(spec.help, ctx.locale),
                                render_kw=render_kw)

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        """The descriptors the intake made of what was posted (None: no file). Bytes or tokens
        still here were not taken in (a page that skipped the intake): refused, never stored."""
        if raw is None or raw == "" or raw == []:
            return None
        items = raw if isinstance(raw, list) else [raw]
        if not all(is_descriptor(item) for item in items):
            raise ParseError(_("These files were not received; choose them again."))
        return [{"sha256": i["sha256"], "name": i.get("name"), "type": i.get("type"), "size": i.get("size")}
                for i in items]

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        digests = [item["sha256"] for item in value]
        if len(set(digests)) != len(digests):
            return _("The same file is attached twice.")
        allowed = tuple(prefix for kind in self.upload_rules(spec).kinds for prefix in KINDS[kind])
        wrong = next((item for item in value if not item["type"].startswith(allowed)), None)
        if wrong is not None:
            return _("“%(name)s” is not a kind of file this field takes.", name=wrong["name"])
        return None

    def files(self, spec: FieldSpec, value: Any) -> tuple[StoredFileRef, ...]:
        return tuple(StoredFileRef(item["sha256"], item["name"], item["type"], item["size"])
                     for item in value or () if is_descriptor(item))

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        if not value:
            return ""
        if any(item.get(WITHHELD) for item in value):
            return _("%(n)d file(s) withheld", n=len(value))
        return ", ".join(str(item.get("name")) for item in value)

    def shown(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return self.display(spec, value, reading.locale)

    def printed(self, spec: FieldSpec, value: Any, reading: Reading) -> dict[str, Any]:
        """Each file by name, size and checksum; ``images`` when the spec prints them (the
        printing module hands the layout their bytes: :mod:`forms.attachment_printing`)."""
        files = [{"name": item.get("name"), "type": item.get("type"), "size": size_text(item.get("size")),
                  "sha256": item.get("sha256"), "withheld": bool(item.get(WITHHELD)),
                  "image": str(item.get("type", "")).startswith("image/") and not item.get(WITHHELD)}
                 for item in value or ()]
        return {"value": f"已隐去 {len(files)} 个文件" if any(f["withheld"] for f in files)
                else "，".join(f["name"] for f in files),
                "files": files, "print_images": _option(spec, "print", "list") == "images"}

    def change(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        return self.display(spec, value, reading.locale) if value else ""

    def change_on_paper(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        if any(item.get(WITHHELD) for item in value):
            return f"{len(value)} 个文件"
        return "，".join(str(item.get("name")) for item in value)

    def searchable(self, spec: FieldSpec, value: Any) -> tuple[str, ...]:
        return ()

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        """How many files and of what kind: names can be personal, the bytes are."""
        return [{WITHHELD: True, "type": item.get("type", "")} for item in value]

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        """Anonymising drops the files (the objects go once no record names them)."""
        return None


def size_text(size: Any) -> str:
    """A file size as people read it: 820 KB, 2.4 MB."""
    if not isinstance(size, int):
        return ""
    if size < MB:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / MB:.1f} MB"
