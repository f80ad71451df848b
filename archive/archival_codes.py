"""The archival reference (档号) of a filed record, as DA/T 22-2015 and DA/T 13-2022 write it:
全宗号-门类代码·年度-保管期限代码-机构（问题）代码-件号, e.g. ``Q012-WS·2026-D10-KF-0042``.

Levels are joined by "-", the category and the year inside one level by "·" (U+00B7); the year
has four digits, the retention code is ``Y`` (永久, permanent) or ``D`` and the years (定期, D30,
D10 …), the item number (件号) four digits or more, zero-padded. Every level the settings give
(fonds, category, organisation) is capital letters and digits (core.config checks them at start),
so a reference reads back into its levels one way only: :meth:`ArchivalReference.parse` is the
inverse of :attr:`ArchivalReference.text`, and refuses anything else naming the level that is
wrong. Minting (the counters, the filing transaction) is archive/archival_numbering.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import gettext as _

from archive.models import Record

#: Each level's form; a reference is these joined by "-" (category and year by "·").
FONDS = re.compile(r"[A-Z0-9]{1,8}")
CATEGORY = re.compile(r"[A-Z0-9]{1,4}")
YEAR = re.compile(r"[1-9][0-9]{3}")
RETENTION = re.compile(r"Y|D[1-9][0-9]{0,2}")
ORGANISATION = re.compile(r"[A-Z0-9]{1,8}")
ITEM = re.compile(r"(?!0000)[0-9]{4}|[1-9][0-9]{4,5}")
#: The longest reference these allow: 8+1+4+1+4+1+4+1+8+1+6 = 39 characters (the column holds 48).
LONGEST = 39
LEVELS = "-"
INSIDE = "·"
#: The retention code of a class kept permanently (永久).
PERMANENT = "Y"


@dataclass(frozen=True)
class ArchivalReference:
    """One 档号 by its levels. Constructing one checks every level, so ``text`` always parses
    back to an equal reference."""

    fonds: str
    category: str
    year: int
    retention: str
    organisation: str
    item: int

    def __post_init__(self) -> None:
        problem = _level_problem(self.fonds, self.category, str(self.year), self.retention,
                                 self.organisation, _digits(self.item))
        if problem:
            raise ValueError(problem)

    @property
    def text(self) -> str:
        return LEVELS.join((self.fonds, f"{self.category}{INSIDE}{self.year}", self.retention,
                            self.organisation, f"{self.item:04d}"))

    @property
    def group(self) -> tuple[str, str, int, str, str]:
        """What the item number runs per (fonds, category, year, retention, organisation)."""
        return (self.fonds, self.category, self.year, self.retention, self.organisation)

    @classmethod
    def parse(cls, text: str) -> ArchivalReference:
        """The reference ``text`` writes; ValueError naming what is wrong with it otherwise."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(_("An archival reference (档号) is empty."))
        if len(text) > LONGEST:
            raise ValueError(_("“%(text)s” is too long for an archival reference (档号): at most %(most)d "
                               "characters.", text=text[:60], most=LONGEST))
        levels = text.split(LEVELS)
        if len(levels) != 5 or levels[1].count(INSIDE) != 1:
            raise ValueError(_("“%(text)s” is not an archival reference (档号): it has five levels joined "
                               "by “-”, such as Q012-WS·2026-D10-KF-0042.", text=text))
        fonds, both, retention, organisation, item = levels
        category, year = both.split(INSIDE)
        problem = _level_problem(fonds, category, year, retention, organisation, item)
        if problem:
            raise ValueError(problem)
        return cls(fonds, category, int(year), retention, organisation, int(item))


def _level_problem(fonds: str, category: str, year: str, retention: str, organisation: str,
                   item: str) -> str | None:
    """The first level that is not what a 档号 holds there, named (None: all are)."""
    checks = ((FONDS, fonds, _("the fonds number (全宗号)"), "Q012"),
              (CATEGORY, category, _("the category code (门类代码)"), "WS"),
              (YEAR, year, _("the year (年度)"), "2026"),
              (RETENTION, retention, _("the retention code (保管期限)"), "Y, D30, D10"),
              (ORGANISATION, organisation, _("the organisation code (机构（问题）代码)"), "KF"),
              (ITEM, item, _("the item number (件号)"), "0042"))
    for pattern, value, name, example in checks:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return _("In an archival reference (档号), %(level)s “%(value)s” is not valid: write it "
                     "like %(example)s.", level=name, value=value, example=example)
    return None


def _digits(item: object) -> str:
    """An item number as a reference writes it ("" for what is no whole number)."""
    return f"{item:04d}" if isinstance(item, int) and not isinstance(item, bool) else ""


def reference_of(record: Record) -> ArchivalReference | None:
    """The record's 档号 by its levels; None while it is not filed (or was filed before 档号
    were minted and has not been given one yet)."""
    return ArchivalReference.parse(record.archival_code) if record.archival_code else None


class _RetentionLike(Protocol):
    years: int
    months: int
    action: str


def retention_code(cls: _RetentionLike) -> str:
    """The retention level of a 档号 from a retention class (a ``ClassView`` or the row):
    ``Y`` when kept permanently, else ``D`` and the years, a part year counting as a whole one
    (a class of 6 months is ``D1``: DA/T 22 writes only whole years)."""
    if cls.action == "permanent":
        return PERMANENT
    return f"D{max(1, math.ceil(cls.years + cls.months / 12))}"


def retention_label(code: str, locale: str) -> str:
    """A retention code for people: 永久 / 定期30年, "Permanent" / "30 years"."""
    if code == PERMANENT:
        return "永久" if locale.startswith("zh") else "Permanent"
    if not RETENTION.fullmatch(code):
        raise ValueError(_("“%(code)s” is not a retention code: Y or D and the years (D30).", code=code))
    years = int(code[1:])
    if locale.startswith("zh"):
        return f"定期{years}年"
    return "1 year" if years == 1 else f"{years} years"


@dataclass(frozen=True)
class ArchivalScheme:
    """The settings a 档号 is built from (core.config: ARCHIVAL_FONDS, ARCHIVAL_CATEGORIES,
    ARCHIVAL_ORGANISATIONS), checked at start."""

    fonds: str
    categories: dict[str, str]
    organisations: dict[str, str]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ArchivalScheme:
        return cls(config["ARCHIVAL_FONDS"], dict(config["ARCHIVAL_CATEGORIES"]),
                   dict(config["ARCHIVAL_ORGANISATIONS"]))

    def category(self, form_code: str) -> str:
        """The form's category code (门类代码): listed, or WS (文书) when not."""
        return self.categories.get(form_code, "WS")

    def organisation(self, department_code: str | None) -> str:
        """The department's organisation code: listed, or its own code in capitals with what
        cannot stand in a level left out (at most 8 characters); ZH (综合, general) for a
        record of no department, or a code with nothing usable."""
        if department_code is None:
            return "ZH"
        if department_code in self.organisations:
            return self.organisations[department_code]
        own = re.sub(r"[^A-Z0-9]", "", department_code.upper())[:8]
        return own or "ZH"
