"""Search parameters from a query string (page and API alike), each checked with a message in
the request's language (they are raised while a request is being handled)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from core.numbers import whole_number
from search.query import MAX_QUERY_LENGTH, BadSearch, Filters

SORTS = ("relevance", "newest")
_CODE = re.compile(r"[A-Z]{2,8}")
_DEPARTMENT = re.compile(r"[A-Z0-9_]{1,32}")
_STATE = re.compile(r"[a-z_]{1,32}")


@dataclass(frozen=True)
class SearchParams:
    text: str
    filters: Filters
    sort: str
    page: int
    per_page: int


def parse_params(args: Mapping[str, str], *, default_per_page: int = 20) -> SearchParams:
    """Raises :class:`BadSearch` naming the first parameter that cannot be used."""
    text = (args.get("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise BadSearch("q", _("at most %(count)d characters", count=MAX_QUERY_LENGTH))
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadSearch("from", _("must not be after the end date"))
    filters = Filters(
        form=_matching(args, "form", _CODE, _("a form code such as CP")),
        year=_integer(args, "year", 2000, 2100),
        state=_matching(args, "state", _STATE, _("a workflow state such as submitted")),
        department=_matching(args, "department", _DEPARTMENT, _("a department code such as CS")),
        date_from=date_from, date_to=date_to)
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadSearch("sort", _("must be one of %(values)s", values=", ".join(SORTS)))
    page = _integer(args, "page", 1, 10_000) or 1
    per_page = _integer(args, "per_page", 1, 100) or default_per_page
    return SearchParams(text, filters, sort, page, per_page)


def _matching(args: Mapping[str, str], name: str, pattern: re.Pattern[str], expected: str) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not pattern.fullmatch(value):
        raise BadSearch(name, _("must be %(expected)s", expected=expected))
    return value


def _integer(args: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    number = whole_number(value, low, high)
    if number is None:
        raise BadSearch(name, _("must be a whole number from %(low)d to %(high)d", low=low, high=high))
    return number


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadSearch(name, _("must be a date as YYYY-MM-DD")) from None
