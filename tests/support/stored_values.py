"""What the archive keeps of a sent field value, checked by hand (not by the code under test):
as sent, a date and time in its one stored form (the same moment in the office's zone).

Used by the property tests of the test form PT (tests/support/specs/PT.toml) on SQLite and on
PostgreSQL."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from archive.uploads import Kind, Limits, check_upload
from forms.spec.model import FieldSpec
from tests.support.field_values import TEST_FORM

#: The least data a PT record takes: its one required field.
BASE = {"title_text": "基本记录"}

RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?"
                     r"(?:[Zz]|([+-])(\d\d):(\d\d))")
OFFICE = ZoneInfo("Asia/Shanghai")  # the test instance's zone (TIMEZONE's default)
STORED_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d")


def moment(text: str) -> tuple[datetime, timedelta]:
    """An RFC 3339 time read by hand (not by the code under test), to the microsecond, with its offset."""
    y, mo, d, h, mi, sec, fraction, sign, oh, om = RFC3339.fullmatch(text).groups()  # type: ignore[union-attr]
    offset = timedelta(hours=int(oh or 0), minutes=int(om or 0)) * (-1 if sign == "-" else 1)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    local = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), micro)
    return local, offset


def in_the_office(sent: str) -> tuple[datetime, timedelta]:
    """The wall clock and offset a sent time is stored with: the same moment in the office's
    zone, in UTC where that zone's offset is no whole minutes (before 1901), as sent where the
    moment has no date there."""
    local, offset = moment(sent)
    instant = (local - offset).replace(tzinfo=UTC)
    try:
        there = instant.astimezone(OFFICE)
    except OverflowError:
        return local, offset
    shift = there.utcoffset() or timedelta(0)
    if shift % timedelta(minutes=1):
        return instant.replace(tzinfo=None), timedelta(0)
    return there.replace(tzinfo=None), shift


def assert_stored(field: FieldSpec, sent: Any, kept: Any) -> None:
    """Kept as sent; a date and time in its one stored form: the same moment in the office's
    zone, seconds always, the fraction to the microsecond when there is one."""
    if field.type == "rows":
        assert len(kept) == len(sent)
        for sent_row, kept_row in zip(sent, kept, strict=True):
            assert kept_row.keys() == sent_row.keys()
            for column in field.columns:
                if column.name in sent_row:
                    assert_stored(column, sent_row[column.name], kept_row[column.name])
    elif field.type == "datetime":
        assert STORED_MOMENT.fullmatch(kept), kept
        assert moment(kept) == in_the_office(sent), (sent, kept)
    elif field.type == "multichoice":
        assert kept == [c.value for c in field.choices if c.value in sent], (sent, kept)  # the form's order
    elif field.type == "file":
        assert kept == [stored_file(item) for item in sent], (sent, kept)
    elif field.type == "integer":
        assert kept == sent and type(kept) is int, (sent, kept)  # 5.0 kept as 5
    else:
        assert kept == sent and type(kept) is type(sent), (sent, kept)


ANY_FILE = Limits(kinds=frozenset({Kind.IMAGE, Kind.PDF}), max_bytes=1024 * 1024, max_files=2)


def stored_file(sent: dict[str, str]) -> dict[str, Any]:
    """What a file field keeps of a file sent as content: the upload check's result, described."""
    checked = check_upload(sent["name"], base64.b64decode(sent["content_base64"]), ANY_FILE)
    return {"sha256": checked.sha256, "name": checked.name, "type": checked.media_type,
            "size": len(checked.data)}


def assert_record_data(sent: dict[str, Any], kept: dict[str, Any]) -> None:
    assert kept.keys() == sent.keys()
    for name, value in sent.items():
        assert_stored(TEST_FORM.field(name), value, kept[name])

