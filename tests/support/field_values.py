"""Hypothesis strategies for the values each field type's JSON Schema accepts, and for values it
refuses, written per type from the published schema (hypothesis-jsonschema is not installed).

Patterns are read as JSON Schema defines them (ECMA-262: ``\\d`` is 0-9), so accepted values use
ASCII digits. The test form is ``tests/support/specs/PT.toml`` (one field of every type);
``install_test_form`` registers and approves it in an instance.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import strategies as st

from core.web import services
from forms import versions
from forms.spec.model import FieldSpec, FormSpec
from forms.spec.parser import load_spec_file
from tests.support.instance import TEST_USERS, actor_of
from tests.support.upload_samples import clean_pdf, photo_jpeg, png_with_text

SPEC_PATH = Path(__file__).parent / "specs" / "PT.toml"
TEST_FORM: FormSpec = load_spec_file(SPEC_PATH)
USERNAMES = sorted(TEST_USERS)
DEPARTMENTS = ["ARCHIVE", "CS", "SALES", "RENEWAL"]


def install_test_form(app: Flask) -> None:
    """Register and approve the PT form in ``app``'s database (as `flask init` and an admin would)."""
    with app.app_context():
        s = services()
        versions.register_specs(s.db, s.clock, {"PT": TEST_FORM})
        versions.approve(s.db, s.clock, actor_of(app, "admin"), "PT", TEST_FORM.version)


# --- text -------------------------------------------------------------------------------------

#: Every printable character (no surrogates, no C0 controls but tab and line breaks, no DEL).
PRINTABLE = st.characters(exclude_categories=("Cs",), exclude_characters="".join(
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
EMOJI = st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "❤️", "🈶", "𠀀", "𪚥"])
EDGE_TEXTS = ["  前后有空格  ", "\t制表符\t", "换行\n第二行", "\r\n", "<b>粗体</b> & \"引号\" '单'",
              "{{ 7*7 }}", "%(name)s %s", "ＡＢＣ１２３", "é́ ñ", "\u200b零宽", "\u2028行分隔"]


def text_value(max_length: int, min_length: int = 1, multiline: bool = False) -> st.SearchStrategy[str]:
    """Text the schema accepts: CJK, emoji, whitespace edges, markup, up to ``max_length``."""
    alphabet = st.one_of(CJK, PRINTABLE, EMOJI) if multiline else st.one_of(
        CJK, PRINTABLE.filter(lambda c: c not in "\n\r"), EMOJI)
    mixed = st.lists(alphabet, min_size=min_length, max_size=max_length).map(
        lambda pieces: "".join(pieces)[:max_length])
    longest = st.text(alphabet=CJK, min_size=max_length, max_size=max_length)
    edges = st.sampled_from([t for t in EDGE_TEXTS if len(t) <= max_length])
    return st.one_of(mixed, longest, edges).filter(lambda t: min_length <= len(t) <= max_length)


# --- numbers ----------------------------------------------------------------------------------

def integer_value(field: FieldSpec) -> st.SearchStrategy[int | float]:
    low, high = int(field.min), int(field.max)
    whole = st.one_of(st.sampled_from([low, high, 0]), st.integers(low, high))
    return st.one_of(whole, whole.map(float))  # 5.0 is an integer to JSON Schema


@st.composite
def decimal_value(draw: st.DrawFn) -> str:
    """A decimal string: up to 12 integer digits and 4 decimals, signs and leading zeros kept."""
    whole = draw(st.one_of(st.sampled_from(["0", "999999999999", "000001"]),
                           st.integers(0, 10**12 - 1).map(str)))
    scale = draw(st.integers(0, 4))
    fraction = "" if scale == 0 else "." + "".join(draw(st.lists(
        st.sampled_from("0123456789"), min_size=scale, max_size=scale)))
    return ("-" if draw(st.booleans()) else "") + whole + fraction


# --- dates and times --------------------------------------------------------------------------

DAYS = st.one_of(st.sampled_from([date(2024, 2, 29), date(2000, 2, 29), date(1, 1, 1),
                                  date(9999, 12, 31), date(2026, 12, 31)]),
                 st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
#: A datetime field takes 0001-01-02 to 9998-12-31 in UTC (a day's margin for every offset).
MOMENT_DAYS = st.one_of(st.sampled_from([date(2024, 2, 29), date(1, 1, 3), date(9998, 12, 29),
                                         date(1900, 1, 1)]),
                        st.dates(min_value=date(1, 1, 3), max_value=date(9998, 12, 29)))
OFFSETS = st.one_of(st.sampled_from([timedelta(hours=8), timedelta(0), timedelta(hours=-5),
                                     timedelta(hours=5, minutes=45), timedelta(hours=14)]),
                    st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timedelta(minutes=m)))


@st.composite
def datetime_value(draw: st.DrawFn, fractions: bool = True) -> str:
    """RFC 3339 with an offset: seconds optional, fractions of a second, ``Z`` for UTC."""
    day = draw(MOMENT_DAYS)
    moment = draw(st.times())
    offset = draw(OFFSETS)
    shape = draw(st.sampled_from(["minutes", "seconds", "fraction"] if fractions else ["minutes", "seconds"]))
    fraction = draw(st.from_regex(r"[0-9]{1,9}", fullmatch=True))  # RFC 3339: any number of digits
    clock = {"minutes": moment.strftime("%H:%M"), "seconds": moment.strftime("%H:%M:%S"),
             "fraction": moment.strftime("%H:%M:%S") + "." + fraction}
    zone = "Z" if offset == timedelta(0) and draw(st.booleans()) else _offset(offset)
    return f"{day.isoformat()}T{clock[shape]}{zone}"


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- phone, e-mail ----------------------------------------------------------------------------

MOBILE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
LANDLINE = st.from_regex(r"0[0-9]{2,3}-?[0-9]{7,8}", fullmatch=True)
PHONES = st.builds(lambda prefix, number: prefix + number, st.sampled_from(["", "+86"]),
                   st.one_of(MOBILE, LANDLINE))
EMAIL_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="@")
EMAILS = st.one_of(
    st.sampled_from(["a@b.cn", "张三@例子.中国", "first.last+tag@example.com", "x@sub.example.co.uk"]),
    st.builds(lambda local, host, top: f"{local}@{host}.{top}",
              st.text(EMAIL_CHARS, min_size=1, max_size=64), st.text(EMAIL_CHARS, min_size=1, max_size=40),
              st.text(EMAIL_CHARS, min_size=2, max_size=10)))


# --- files ------------------------------------------------------------------------------------

#: What a file field is sent: up to two different files (the same bytes twice are one file) under
#: any name a person might give them (the stored name is the upload check's safe name).
FILE_CONTENTS = [photo_jpeg()[1], png_with_text()[1], clean_pdf(1)[1]]
FILE_NAMES = st.one_of(st.sampled_from(["IMG_0001.JPG", "扫描件.pdf", "scan", "a b.png", "x" * 300]),
                       st.text(st.one_of(CJK, st.sampled_from("abc_-. 123")), min_size=1, max_size=20)
                       .filter(lambda name: name.strip(" ._") != ""))
CONTENT = st.sampled_from([base64.b64encode(data).decode() for data in FILE_CONTENTS])
FILES = st.lists(st.fixed_dictionaries({"name": FILE_NAMES, "content_base64": CONTENT}),
                 min_size=1, max_size=2, unique_by=lambda item: item["content_base64"])


# --- a whole record ---------------------------------------------------------------------------

def field_value(field: FieldSpec) -> st.SearchStrategy[Any]:
    """Values this field's schema accepts."""
    kind = field.type
    if kind in ("text", "textarea"):
        return text_value(field.max_length or 200, multiline=kind == "textarea")
    if kind == "integer":
        return integer_value(field)
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "decimal": decimal_value(), "date": DAYS.map(date.isoformat), "datetime": datetime_value(),
        "phone": PHONES, "email": EMAILS, "boolean": st.booleans(),
        "choice": st.sampled_from([c.value for c in field.choices]),
        "multichoice": st.lists(st.sampled_from([c.value for c in field.choices]), min_size=1, unique=True),
        "user": st.sampled_from(USERNAMES), "department": st.sampled_from(DEPARTMENTS),
    }
    if kind == "rows":
        return st.lists(row_value(field), min_size=1, max_size=field.max_rows)
    if kind == "file":
        return FILES
    return strategies[kind]


@st.composite
def row_value(draw: st.DrawFn, field: FieldSpec) -> dict[str, Any]:
    return {c.name: draw(field_value(c)) for c in field.columns
            if c.required or draw(st.booleans())}


@st.composite
def record_data(draw: st.DrawFn, spec: FormSpec = TEST_FORM) -> dict[str, Any]:
    """A record the schema accepts: required fields always, optional ones present or not."""
    return {f.name: draw(field_value(f)) for f in spec.fields if f.required or draw(st.booleans())}


# --- values the schema (or the field's own checks) refuses --------------------------------------

#: Digits that Python's ``\\d`` takes but JSON Schema's (ECMA-262) does not: full-width, Arabic-Indic.
FOREIGN_DIGITS = st.sampled_from(["１", "٣", "९", "０"])
WRONG_TYPES = st.sampled_from([1, 1.5, True, {"a": 1}, ["x"]])


def _digit_swapped(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A valid value with one of its ASCII digits replaced by a foreign one."""
    @st.composite
    def swap(draw: st.DrawFn) -> str:
        value = draw(valid)
        places = [i for i, c in enumerate(value) if c.isascii() and c.isdigit()]
        i = draw(st.sampled_from(places))
        return value[:i] + draw(FOREIGN_DIGITS) + value[i + 1:]
    return swap()


def _newline_after(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return valid.map(lambda value: value + "\n")


def bad_value(field: FieldSpec) -> st.SearchStrategy[Any]:
    """Values this field's schema or checks refuse (wrong type, range, format, calendar)."""
    return BAD[field.type](field).filter(lambda v: v is not None)


def _bad_text(field: FieldSpec) -> st.SearchStrategy[Any]:
    limit = field.max_length or 200
    return st.one_of(st.sampled_from([5, True, ["x"], "a\x00b", "\x1b[31m", "x\x7f"]),
                     st.text(CJK, min_size=limit + 1, max_size=limit + 3))


def _bad_integer(field: FieldSpec) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(["5", 1.5, True, 10**20, "1e3"]),
                     st.integers(max_value=int(field.min) - 1), st.integers(min_value=int(field.max) + 1))


def _bad_rows(field: FieldSpec) -> st.SearchStrategy[Any]:
    columns = [c for c in field.columns if c.name != "item"]
    return st.one_of(
        st.sampled_from([{"item": "x"}, "x", [[1]], [{}], [{"item": "x", "extra": 1}],
                         [{"item": "x"}] * (field.max_rows + 1)]),
        st.sampled_from(columns).flatmap(
            lambda column: bad_value(column).map(lambda bad: [{"item": "x", column.name: bad}])))


BAD: dict[str, Any] = {
    "text": _bad_text, "textarea": _bad_text, "integer": _bad_integer, "rows": _bad_rows,
    "decimal": lambda f: st.one_of(
        st.sampled_from([12.5, 3, "1e5", "12.34567", "1,000", "abc", "+5", ".5", "5.", "NaN", "Infinity",
                         "1234567890123", " 12", "--1"]),
        _digit_swapped(decimal_value()), _newline_after(decimal_value())),
    "date": lambda f: st.one_of(
        st.sampled_from(["2026-02-30", "2025-02-29", "2026-13-01", "0000-01-01", "2026/03/02", "26-03-02",
                         "2026-3-2", 20260302, "2026-03-02T00:00"]),
        _digit_swapped(DAYS.map(date.isoformat)), _newline_after(DAYS.map(date.isoformat))),
    "datetime": lambda f: st.one_of(
        st.sampled_from(["2026-03-02T09:00", "2026-03-02 09:00:00+08:00", "2026-02-30T09:00:00+08:00",
                         "2026-03-02T24:00:00+08:00", "2026-03-02T09:00:60+08:00",
                         "2026-03-02T09:00:00+24:00", "2026-03-02T09:00:00.+08:00", "2026-03-02T09:60+08:00",
                         "2026-03-02", 1772413200, "9999-12-31T20:00:00-05:00", "0001-01-01T00:00:00+14:00",
                         "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"]),
        _digit_swapped(datetime_value()), _newline_after(datetime_value())),
    "phone": lambda f: st.one_of(
        st.sampled_from(["12345678901", "1380013800", "138001380001", "+85213800138000", "138-0013-8000",
                         "(021)62345678", "13800138000 ", 13800138000]),
        _digit_swapped(PHONES), _newline_after(PHONES)),
    "email": lambda f: st.one_of(
        st.sampled_from(["name", "a@b", "@b.cn", "a@b.c", "a b@c.cn", "a@@b.cn", "\x00@a.bc", "a\x07@b.cn",
                         "x" * 65 + "@b.cn"]),
        _newline_after(EMAILS)),
    "boolean": lambda f: st.sampled_from(["true", 1, 0, "yes", "否"]),
    "choice": lambda f: st.one_of(st.sampled_from(["z", "A", 1, [f.choices[0].value]]),
                                  st.sampled_from([c.value + " " for c in f.choices])),
    "multichoice": lambda f: st.sampled_from([[f.choices[0].value] * 2, ["nope"], f.choices[0].value, [1]]),
    "user": lambda f: st.sampled_from(["nobody", "CLERK", 7, "x" * 65]),
    "department": lambda f: st.sampled_from(["XX", "cs", 7]),
    "file": lambda f: st.sampled_from([
        "photo.jpg", [{"name": "a.jpg", "content_base64": "%%%"}],
        [{"name": "a.txt", "content_base64": "aGVsbG8="}],  # "hello": not an image or a PDF
        [{"sha256": "0" * 64, "name": "a.jpg", "type": "image/jpeg", "size": 1}], [{"name": "a.jpg"}]]),
}


@st.composite
def one_bad_field(draw: st.DrawFn, spec: FormSpec = TEST_FORM) -> tuple[str, Any]:
    """(field name, a value it refuses)."""
    field = draw(st.sampled_from(spec.fields))
    return field.name, draw(st.one_of(bad_value(field), WRONG_TYPES.filter(
        lambda v: not _plausible_type(field, v))))


def _plausible_type(field: FieldSpec, value: Any) -> bool:
    """Whether a probe from WRONG_TYPES is of the field's own type (True for a yes/no, 1 for a
    whole number) and so not wrong at all."""
    return (field.type == "boolean" and isinstance(value, bool)) or (
        field.type == "integer" and type(value) is int)
