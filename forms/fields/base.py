"""The field-type protocol and its registry.

A field type owns everything that depends on the kind of value a field holds: which extra spec
keys it accepts (and whether their values make sense), its JSON Schema, its WTForms field, how
to turn what a person typed into a stored value and check it, and how a stored value is shown on
a page, printed, summarised in a record's history, masked for a reader without the need,
replaced when the record is anonymised and indexed for search. Callers ask the type
(``REGISTRY[spec.type]``) and never switch on its name, so adding a type is one class in this
package, registered with :func:`register`. What a type needs and does not own (the names of
users and departments, the reader's language, the references known) is passed in explicitly:
:class:`BuildContext`, :class:`Reading`, :class:`References`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import Field
from wtforms.fields.core import UnboundField

from core.auth.names import Names
from forms.spec.model import FieldSpec, FormSpec

COMMON_KEYS = frozenset({"name", "type", "label", "required", "help", "indexed", "personal"})
#: The search index is in Chinese: values are indexed as a Chinese reader sees them.
SEARCH_LOCALE = "zh"
#: WTForms fields drawn as a group of options, whose first option an error links to.
GROUPED_INPUTS = ("RadioField", "SelectMultipleField")


class ParseError(ValueError):
    """What a person typed cannot be read as this type; the message is shown beside the field."""


@dataclass(frozen=True)
class BuildContext:
    """Per-request facts a form needs to be built: language and the pickers' options."""

    locale: str = "zh"
    users: tuple[tuple[str, str], ...] = ()
    departments: tuple[tuple[str, str], ...] = ()
    zone_name: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Reading:
    """What showing a stored value needs besides the value: the reader's language, and the
    names of the users and departments that reference fields store by key (a key that names no
    one is shown as stored)."""

    locale: str = "zh"
    names: Names = field(default_factory=Names)


@dataclass(frozen=True)
class FileRules:
    """What a field that holds files takes: the kinds (``image``, ``pdf``), how many, how large
    each may be. Plain data, so the upload checks (:mod:`archive.uploads`) need not read specs."""

    kinds: tuple[str, ...]
    max_files: int
    max_bytes: int


@dataclass(frozen=True)
class StoredFileRef:
    """One file a value names: its SHA-256 (its key in the file store), the name it was sent
    with, its media type and size. How a type stores it is its own; this is what the archive
    needs (attachment rows, fixity, export, disposal) without knowing the type."""

    sha256: str
    name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class References:
    """The usernames and department codes a reference field may name (None: not checked)."""

    users: Collection[str] | None = None
    departments: Collection[str] | None = None


def is_empty(value: Any) -> bool:
    """No answer: nothing stored, or empty text (an empty list is a value: no rows)."""
    return value is None or value == ""


class FieldType:
    name: ClassVar[str]
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    #: Printed across the page (long text, tables) rather than in the grid of short values.
    wide_on_paper: ClassVar[bool] = False
    #: Its value names a day (a date, or a moment on one): a draft is dated by the first typed.
    holds_day: ClassVar[bool] = False
    #: Its value is a moment: a workflow deadline may count from it.
    holds_moment: ClassVar[bool] = False
    #: Its value is one of the spec's choices: a workflow deadline's hours may be keyed by it.
    picks_one_choice: ClassVar[bool] = False

    def check_spec(self, spec: FieldSpec) -> list[str]:
        """Problems with this field's declaration beyond the key names (none by default)."""
        return []

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        raise NotImplementedError

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        raise NotImplementedError

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        """Typed input → stored value; ``None`` when empty; raises :class:`ParseError`."""
        if raw is None:
            return None
        text = str(raw).strip()
        return text or None

    def format_message(self) -> str:
        """What to say when a stored value does not match this type's pattern."""
        return _("This value is not in the expected format.")

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        """Checks beyond the JSON Schema (calendar validity and such); a message or None."""
        return None

    def explain(self, spec: FieldSpec, value: Any) -> str | None:
        """Why ``value``, which the JSON Schema refused, is wrong, in words a person can act on
        (None: the message made from the schema's keyword). A value with parts (a signature's
        strokes) is better told by the part that is wrong than by the schema's innermost error."""
        return None

    def known_keys(self, references: References) -> Collection[str] | None:
        """The values this field may hold among ``references`` (None: it references nothing,
        or they are not checked); the published JSON Schema lists them as its ``enum``."""
        return None

    def reference_problem(self, spec: FieldSpec, value: Any, references: References) -> str | None:
        """Why ``value`` names no one known (a message), or None."""
        return None

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """A valid value in its type's one stored form, so that the same answer sent two ways
        (a time with ``Z`` or ``+00:00``) is stored, compared and fingerprinted the same.
        ``zone``: the office's, where the stored form depends on it (a time is kept in it)."""
        return value

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        """A stored value as text, references by their key (titles are built from this)."""
        return "" if value is None else str(value)

    def shown(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        """A stored value as a page or a printed copy shows it: references by name."""
        return "" if value is None else str(self.display(spec, value, reading.locale))

    def table(self, spec: FieldSpec, value: Any, reading: Reading) -> list[list[str]] | None:
        """For a value shown as a table, its cells as shown, a list per row; None for a value
        shown as text (:meth:`shown`)."""
        return None

    def drawing(self, spec: FieldSpec, value: Any) -> Markup | None:
        """A value (not empty) the page shows as a picture we draw ourselves from numbers (a
        signature's SVG), beside its text; None for values shown as text alone."""
        return None

    def remark(self, spec: FieldSpec, value: Any, form: FormSpec,
               data: dict[str, Any]) -> dict[str, str] | None:
        """A note on a value (not empty) that depends on the rest of the record's ``data`` as
        stored, ``{"zh": …, "en": …}`` (a signature taken before other fields changed); None."""
        return None

    def printed(self, spec: FieldSpec, value: Any, reading: Reading) -> dict[str, Any]:
        """What the print layout shows of a value: its ``value`` as text (a table: its
        ``columns`` and ``rows``). Printed copies are in Chinese, as the office prints."""
        return {"value": self.shown(spec, value, reading)}

    def change(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        """A value before or after a change, as the record page's history shows it."""
        return self.shown(spec, value, reading)

    def change_on_paper(self, spec: FieldSpec, value: Any, reading: Reading) -> str:
        """A value (not empty) before or after a correction, as a printed copy lists it."""
        return self.shown(spec, value, reading)

    def searchable(self, spec: FieldSpec, value: Any) -> tuple[str, ...]:
        """The texts a value (not empty) is found by in the search index."""
        return (str(self.display(spec, value, SEARCH_LOCALE)),)

    def holds_personal(self, spec: FieldSpec) -> bool:
        """Whether the field holds personal data, masked and anonymised (a table: if it is
        marked personal or any of its columns is)."""
        return spec.personal

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        """A personal value (not empty) as a reader without the need sees it. Values that cannot
        be shown in part (dates, choices, numbers) are withheld: None, shown empty."""
        return None

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        """What replaces a personal value (not empty) once its period is over; it must still be
        valid against the spec (a later correction validates the whole record). None: the value
        is dropped."""
        return None

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        """A stored value as a person would type it, to pre-fill a form that changes it."""
        return value

    def keep_untouched(self, spec: FieldSpec, read: Any, shown: Any, stored: Any) -> Any:
        """``read`` from a page that showed ``shown`` (``stored`` read back), with the parts the
        person did not touch kept as stored (a table's cells; a single value is changed or not)."""
        return read

    def upload_rules(self, spec: FieldSpec) -> FileRules | None:
        """For a field whose value is uploaded files, what it takes (None: it takes no files,
        its input is typed)."""
        return None

    def files(self, spec: FieldSpec, value: Any) -> tuple[StoredFileRef, ...]:
        """The stored files a value (not empty) names (none by default): their bytes are in the
        file store, the value holds only their checksums."""
        return ()

    def error_anchor(self, spec: FieldSpec, widget: Field) -> str:
        """The id of the element an error summary links to: the input, or a group's first option."""
        return f"{widget.id}-0" if widget.type in GROUPED_INPUTS else widget.id


REGISTRY: dict[str, FieldType] = {}


class DuplicateFieldType(ValueError):
    """A second type registered under a name already taken: it would silently replace the first
    for every spec that uses the name."""


def register(cls: type[FieldType]) -> type[FieldType]:
    """Add ``cls`` to the registry under its ``name``; a name already taken is refused."""
    if cls.name in REGISTRY:
        raise DuplicateFieldType(f"field type {cls.name!r} is already registered "
                                 f"({type(REGISTRY[cls.name]).__qualname__})")
    REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Forget the type called ``name`` (a type registered for a test, when the test is done)."""
    REGISTRY.pop(name, None)


@contextmanager
def registered(cls: type[FieldType]) -> Iterator[FieldType]:
    """``cls`` registered for the duration of the block, and the registry as it was after it
    (a type it replaced is put back)."""
    before = REGISTRY.get(cls.name)
    REGISTRY[cls.name] = cls()  # replacing on purpose, for the block only
    try:
        yield REGISTRY[cls.name]
    finally:
        if before is None:
            unregister(cls.name)
        else:
            REGISTRY[cls.name] = before
