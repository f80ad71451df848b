"""Whole numbers from pages, links and API paths (core.numbers.whole_number): only ASCII digits
in range count, so an odd one is the page's own answer (page 1, a 400, a 404), never a 500."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import whole_number


@given(st.text(max_size=30))
def test_any_text_is_a_number_in_range_or_none(text: str) -> None:
    value = whole_number(text, 1, 999_999)
    if value is None:
        assert not (text.isascii() and text.isdigit() and len(text) <= 18 and 1 <= int(text) <= 999_999)
    else:
        assert 1 <= value <= 999_999 and value == int(text)


@pytest.mark.parametrize("text", ["²", "٣", "１", "-1", " 1", "1.0", "", None, "9" * 5000, "0"])
def test_what_int_would_take_or_choke_on_is_refused(text: str | None) -> None:
    assert whole_number(text, 1, 999_999) is None


#: Every page and API that reads a number from the query or the path, with numbers it must not
#: choke on: a superscript digit (isdigit() but not int()) and a number of 5,000 digits.
ODD = ("%C2%B2", "9" * 5000)
PAGES = ["/records?page={}", "/records?scope=department&page={}", "/filing/RS?page={}",
         "/archive/?page={}", "/archive/holds?page={}", "/archive/disposal?page={}&lists={}",
         "/archive/catalogue?form=CP&year=2026&page={}", "/archive/catalogue/items?year={}",
         "/archive/catalogue/items?year=2026&page={}", "/stats/complaints?weeks={}",
         "/verify/CP-2026-000001?r={}&f=0123456789abcdef"]
#: API paths and the refusal each gives an odd number: a bad parameter, or no such thing.
APIS = {"/api/v1/stats/complaints?weeks={}": 400, "/api/v1/archive/filing-queue?page={}": 400,
        "/api/v1/archive/disposal/due?page={}": 400, "/api/v1/archive/catalogue?form=CP&year={}": 400,
        "/api/v1/archive/catalogue?form=CP&year=2026&page={}": 400, "/api/v1/archive/holds/{}": 404,
        "/api/v1/records/CP-2026-000001/archival?revision={}": 400, "/api/v1/search?q=a&year={}": 400,
        "/api/v1/drafts/{}": 404, "/api/v1/archive/catalogue/items?year={}": 400,
        "/api/v1/archive/catalogue/items?year=2026&page={}": 400}


@pytest.mark.parametrize("odd", ODD, ids=["superscript", "5000-digits"])
def test_no_page_or_api_answers_an_odd_number_with_a_500(logged_in, token_for, odd: str) -> None:  # type: ignore[no-untyped-def]
    archivist, token = logged_in("archivist"), token_for("archivist")
    for path in PAGES:
        status = archivist.get(path.format(odd, odd)).status_code
        assert status < 500, (path, status)
    for path, refusal in APIS.items():
        status = archivist.get(path.format(odd), headers=token).status_code
        assert status == refusal, (path, status)
