"""English pages read in English (issue 15, item 10): plurals by number, no Chinese gloss on
the correction's label, a translated footer, chart labels whole. The Chinese pages keep theirs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from tests.support.instance import VALID_CP

EN = {"Accept-Language": "en"}
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def real_clock_precision(clock: FrozenClock) -> None:
    """Frozen, but with the microseconds a real clock has (09:30:00.123456 in Shanghai)."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


def cp(client, headers, **extra) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "CP", "data": {**VALID_CP, **extra}})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def test_counts_say_record_or_records(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = cp(client, token_for("clerk"))
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])  # indexed for the search page
    clerk = logged_in("clerk")
    assert "1 record found" in clerk.get("/search?q=划痕", headers=EN).text
    assert "1 records" not in clerk.get("/records", headers=EN).text
    assert "1 record" in clerk.get("/records", headers=EN).text
    cp(client, token_for("clerk"))
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert "2 records found" in clerk.get("/search?q=划痕", headers=EN).text
    assert "共找到 2 条记录" in clerk.get("/search?q=划痕").text and code in clerk.get("/records").text


def test_the_correction_is_called_correct_in_english(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = cp(client, token_for("clerk"))
    clerk = logged_in("clerk")
    english = clerk.get(f"/records/{code}", headers=EN).text
    assert ">Correct<" in english and "勘误" not in english
    assert ">勘误<" in clerk.get(f"/records/{code}").text
    action = clerk.get(f"/records/{code}/actions/correct", headers=EN).text
    assert "Correct" in action and "勘误" not in action


def test_the_footer_follows_the_language(logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    footer = clerk.get("/forms", headers=EN).text.split('class="site-footer"')[1]
    assert "Customer Service" in footer and not CJK.search(footer)
    assert "客户服务部" in clerk.get("/forms").text.split('class="site-footer"')[1]


def test_no_chinese_punctuation_or_gloss_on_english_office_pages(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    cp(client, token_for("clerk"))
    stats = logged_in("supervisor").get("/stats/complaints", headers=EN).text
    chinese = logged_in("supervisor").get("/stats/complaints").text
    assert "；" not in stats and "；" in chinese  # between the charts' numbers in their text
    catalogue = logged_in("archivist").get("/archive/catalogue", headers=EN).text
    assert "<h1>Catalogue</h1>" in catalogue and "案卷目录" not in catalogue


def test_chart_labels_are_whole_and_fit(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = cp(client, token_for("clerk"))
    response = client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"), json={
        "fields": {"cause_class": "non_quality", "level": "2", "responsible_department": "QA"}})
    assert response.status_code == 200, response.json
    for headers in (EN, {}):
        page = logged_in("supervisor").get("/stats/complaints", headers=headers).text
        labels = re.findall(r'<text x="([\d.]+)"[^>]*class="chart-label">([^<]*)</text>', page)
        shown = [text for _x, text in labels]
        assert "…" not in "".join(shown), shown
        if headers:
            assert "Non-quality (human cause)" in shown and "Quality Management" in shown
        for x, text in labels:  # right-aligned at x: the text's estimated width fits left of it
            width = sum(13 if CJK.match(c) else 7.5 for c in text)
            assert width <= float(x) + 1, (text, x)
