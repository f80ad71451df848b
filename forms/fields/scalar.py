"""Single-value field types: text, numbers, dates and times, phone, e-mail, yes/no."""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from core.i18n import pick
from forms.fields.base import BuildContext, FieldType, ParseError, register
from forms.fields.masks import EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, TEXT_PLACEHOLDER, mask_phone, mask_text
from forms.spec.model import FieldSpec


def _label(spec: FieldSpec, ctx: BuildContext) -> str:
    return pick(spec.label, ctx.locale)


def _hint(spec: FieldSpec, ctx: BuildContext) -> str:
    return pick(spec.help, ctx.locale)


class _StringBacked(FieldType):
    """Types whose input is one line of text."""

    input_mode: str | None = None
    autocomplete: str | None = None

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        render_kw: dict[str, str] = {}
        if self.input_mode:
            render_kw["inputmode"] = self.input_mode
        if self.autocomplete:
            render_kw["autocomplete"] = self.autocomplete
        return StringField(_label(spec, ctx), description=_hint(spec, ctx), render_kw=render_kw)


def _length_checks(spec: FieldSpec, default_max: int) -> list[str]:
    problems = []
    for key in ("min_length", "max_length"):
        value = getattr(spec, key)
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(f"{key} must be a whole number ≥ 0")
    if (spec.max_length or default_max) > 100_000:
        problems.append("max_length must be at most 100000")
    return problems


#: Text may hold line breaks and tabs but no other control characters (NUL breaks PostgreSQL,
#: the rest are invisible and never typed on purpose).
PRINTABLE_TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"


@register
class Text(_StringBacked):
    name = "text"
    extra_keys = frozenset({"min_length", "max_length"})
    default_max = 200

    def check_spec(self, spec: FieldSpec) -> list[str]:
        return _length_checks(spec, self.default_max)

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": spec.max_length or self.default_max,
                                  "pattern": PRINTABLE_TEXT_PATTERN}
        min_length = max(spec.min_length or 0, 1 if spec.required else 0)
        if min_length:
            schema["minLength"] = min_length
        return schema

    def format_message(self) -> str:
        return _("Remove the invisible control characters from this text.")

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        return mask_text(str(value))

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        return TEXT_PLACEHOLDER


@register
class TextArea(Text):
    name = "textarea"
    default_max = 5000
    wide_on_paper = True

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return TextAreaField(_label(spec, ctx), description=_hint(spec, ctx),
                             render_kw={"rows": "5"})


class _Number(_StringBacked):
    extra_keys = frozenset({"min", "max"})
    input_mode = "numeric"

    def check_spec(self, spec: FieldSpec) -> list[str]:
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            return [f"min ({spec.min}) is greater than max ({spec.max})"]
        return []

    def _bounds(self, spec: FieldSpec) -> dict[str, Any]:
        bounds: dict[str, Any] = {}
        if spec.min is not None:
            bounds["minimum"] = spec.min
        if spec.max is not None:
            bounds["maximum"] = spec.max
        return bounds


@register
class Integer(_Number):
    name = "integer"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "integer", **self._bounds(spec)}

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is None:
            return None
        text = text.replace(",", "").replace("，", "")
        if not re.fullmatch(r"[-+]?\d{1,15}", text):
            raise ParseError(_("Enter a whole number, like 12."))
        return int(text)

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """``5.0`` is a whole number to JSON Schema: stored as ``5``. Kept as sent, pages showed
        "5.0", and a correction page filled in "5.0", which it refuses as no whole number."""
        return int(value)


#: Patterns say [0-9], not \d: the published schema is read as ECMA-262 (0-9) by clients and
#: Python's \d takes any digit (１, ٣), which stored amounts and phones that nothing could match.
DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"


@register
class DecimalNumber(_Number):
    """Stored as a string so that amounts never pass through binary floating point."""

    name = "decimal"
    input_mode = "decimal"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": DECIMAL_PATTERN}

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is None:
            return None
        text = text.replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ParseError(_("Enter a number, like 12.50.")) from exc
        if not number.is_finite() or not re.match(DECIMAL_PATTERN, format(number, "f")):
            raise ParseError(self.format_message())
        return format(number, "f")

    def format_message(self) -> str:
        return _("Enter a number with at most 12 digits and 4 decimals.")

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        number = Decimal(value)
        if spec.min is not None and number < Decimal(str(spec.min)):
            return _("Must be at least %(min)s.", min=spec.min)
        if spec.max is not None and number > Decimal(str(spec.max)):
            return _("Must be at most %(max)s.", max=spec.max)
        return None


DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TYPED_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_typed_date(text: str, unreadable: str | None = None) -> date:
    """Dates the way people type them: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日, 20261123.
    ``unreadable``: the message when ``text`` is no date at all (default: the date field's)."""
    match = _TYPED_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ParseError(unreadable or Date.format_message())
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ParseError(_("This date does not exist; check the month and day.")) from exc


@register
class Date(_StringBacked):
    name = "date"
    holds_day = True

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": DATE_PATTERN, "format": "date"}

    @staticmethod
    def format_message() -> str:
        return _("Enter a date like 2026-11-23.")

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        return None if text is None else parse_typed_date(text).isoformat()

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        try:
            date.fromisoformat(value)
        except ValueError:
            return _("This date does not exist; check the month and day.")
        return None


#: RFC 3339 (``format: date-time``): seconds optional (people's 14:30), a fraction of a second
#: only after them, up to nanoseconds (stored to the microsecond), ``T``/``Z`` in either case.
#: The moments a datetime field takes (see :meth:`DateTime.range_message`).
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC)
DATETIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
                    r"([+-][0-9]{2}:[0-9]{2}|[Zz])$")
_TYPED_TIME = re.compile(r"^(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2})(?:[.,](\d{1,9}))?)?秒?$")


def parse_moment(value: str) -> datetime:
    """A stored or sent RFC 3339 time as an aware datetime (Python's reader wants ``T``/``Z``
    in upper case); raises ValueError."""
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in ``zone``, as a stored time: where the zone's offset is not whole minutes
    (local mean time, Shanghai before 1901), which RFC 3339 cannot write, in UTC instead; a
    moment with no date there (the edges of the calendar) as it is."""
    try:
        local = moment.astimezone(zone)
    except OverflowError:
        return moment
    offset = local.utcoffset()
    return local if offset is None or not offset % timedelta(minutes=1) else moment.astimezone(UTC)


def _micro(fraction: str | None) -> int:
    """Digits after the decimal point as microseconds (a nanosecond clock's extra digits cut)."""
    return int((fraction or "0")[:6].ljust(6, "0"))


@register
class DateTime(_StringBacked):
    """A date and time, stored as ISO 8601 with its UTC offset (the office's for typed input)."""

    name = "datetime"
    holds_day = holds_moment = True

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": DATETIME_PATTERN, "format": "date-time"}

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is None:
            return None
        unreadable = _("Enter a date and time like 2026-11-23 14:30.")
        day_part, _sep, time_part = text.replace("T", " ").partition(" ")
        day = parse_typed_date(day_part.strip(), unreadable)  # the field asks for a time too
        match = _TYPED_TIME.match(time_part.strip() or "0:00")
        if not match:
            raise ParseError(unreadable)
        hour, minute, second = (int(g or 0) for g in match.groups()[:3])
        try:
            moment = datetime(day.year, day.month, day.day, hour, minute, second, _micro(match[4]),
                              tzinfo=ZoneInfo(ctx.zone_name))
        except ValueError as exc:
            raise ParseError(unreadable) from exc
        if moment.utcoffset() % timedelta(minutes=1):  # local mean time (Shanghai before 1901)
            try:  # has an offset in seconds, which RFC 3339 cannot write: stored in UTC
                moment = moment.astimezone(UTC)
            except OverflowError as exc:
                raise ParseError(self.range_message()) from exc
        return moment.isoformat()

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        try:
            instant = parse_moment(value).astimezone(UTC)
        except ValueError:
            return self.format_message()
        except OverflowError:  # before the year 1 in UTC
            return self.range_message()
        return None if EARLIEST <= instant <= LATEST else self.range_message()

    @staticmethod
    def range_message() -> str:
        """A moment shown in another zone (the office's), or a deadline some hours after it, must
        still be a date: 9999-12-31T20:00-05:00 is in the year 10000 in Shanghai (it was a 500)."""
        return _("Enter a date and time between 0001-01-02 and 9998-12-31.")

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """``2026-03-02T09:00:00[.ffffff]+08:00``: seconds always, the fraction to the
        microsecond (only when not zero), ``Z`` as ``+00:00``; in the office's ``zone`` when
        given. Pages, prints and search show a stored time's wall clock: an API client's UTC
        (01:00Z) was shown as 01:00 beside deadlines in office time (09:00 in Shanghai)."""
        moment = parse_moment(value)
        return (in_zone(moment, zone) if zone is not None else moment).isoformat()

    def format_message(self) -> str:
        """Stored values are ISO 8601 with an offset (what API clients must send)."""
        return _("Enter a date and time like 2026-11-23T14:30:00+08:00.")

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        if not value:
            return ""
        return parse_moment(value).replace(tzinfo=None).isoformat(" ", "minutes")  # 0900, not 900

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        """In the office's zone, as :meth:`parse` reads it back (API values may carry another
        offset: shown as they are, they would be read as a different moment); a fraction of a
        second is kept, or an action page would change the time it only shows."""
        if not value:
            return value
        moment = parse_moment(value)
        with suppress(OverflowError):  # stored before the range was checked: shown as it is
            moment = moment.astimezone(ZoneInfo(ctx.zone_name))
        return moment.replace(tzinfo=None).isoformat(" ", "microseconds" if moment.microsecond else "seconds")


#: Mainland mobile (11 digits starting 1[3-9]) or landline with area code, optional +86.
PHONE_PATTERN = r"^(\+86)?(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"


def normalise_phone(text: str) -> str:
    """Drop the spaces, dashes and brackets people type; keep the landline's area dash."""
    compact = re.sub(r"[\s()（）]", "", text)
    if compact.startswith("0"):
        return re.sub(r"-+", "-", compact)
    return compact.replace("-", "")


@register
class Phone(_StringBacked):
    name = "phone"
    input_mode = "tel"
    autocomplete = "off"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": PHONE_PATTERN}

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is None:
            return None
        # A Chinese input method types full-width １３８ and －: the same number, kept in ASCII.
        phone = normalise_phone(unicodedata.normalize("NFKC", text))
        if not re.match(PHONE_PATTERN, phone):
            raise ParseError(self.format_message())
        return phone

    def format_message(self) -> str:
        return _("Enter a valid phone number, like 138 0013 8000 or 021-6234 5678.")

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        return mask_phone(str(value))

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        return PHONE_PLACEHOLDER


#: No control characters either (NUL cannot be stored in PostgreSQL text).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]{2,}$"


@register
class Email(_StringBacked):
    name = "email"
    input_mode = "email"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "string", "pattern": EMAIL_PATTERN, "maxLength": 254}

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is not None and not re.match(EMAIL_PATTERN, text):
            raise ParseError(self.format_message())
        return text

    def format_message(self) -> str:
        return _("Enter an e-mail address like name@example.com.")

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        return mask_text(str(value))

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        return EMAIL_PLACEHOLDER


@register
class Boolean(FieldType):
    name = "boolean"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "boolean"}

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return BooleanField(_label(spec, ctx), description=_hint(spec, ctx))

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        return bool(raw)

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        if value is None:
            return ""
        return ("是" if value else "否") if locale == "zh" else ("Yes" if value else "No")
