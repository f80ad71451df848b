"""A filed record's 档号 where people and programs read it: the record page in Chinese and in
English (with its retention in words), and the record API's JSON; a record not filed shows none;
the demo office's filed complaints."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from core.clock import FrozenClock
from tests.support.archival import MICRO_START, archival_code_of, archival_codes
from tests.support.instance import login
from tests.support.lifecycle import filed_complaints, new_complaint, work_outbox


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


@pytest.mark.parametrize(("language", "label", "retention"), [
    ("zh-CN", "档号", "定期3年"), ("en", "Archival reference (档号)", "3 years")])
def test_the_record_page_shows_the_archival_code_in_both_languages(app: Flask, language: str, label: str,
                                                                  retention: str) -> None:
    [code] = filed_complaints(app, 1)
    waiting = new_complaint(app)
    client = app.test_client()
    login(client, "clerk")
    page = client.get(f"/records/{code}", headers={"Accept-Language": language}).text
    assert f"<dt>{label}</dt>" in page
    shown = "Q012-<wbr>WS·2026-<wbr>D3-<wbr>KF-<wbr>0001"  # breaks only between levels
    assert f'<span class="archival-code" id="archival-code">{shown}</span>' in page
    assert f'<span class="hint nowrap">{retention}</span>' in page
    other = client.get(f"/records/{waiting}", headers={"Accept-Language": language}).text
    assert 'id="archival-code"' not in other and f"<dt>{label}</dt>" not in other


def test_the_record_api_names_the_archival_code(app: Flask, token_for) -> None:  # type: ignore[no-untyped-def]
    [code] = filed_complaints(app, 1)
    waiting = new_complaint(app)
    client = app.test_client()
    filed = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert filed["filing"]["archival_code"] == archival_code_of(app, code) == "Q012-WS·2026-D3-KF-0001"
    assert client.get(f"/api/v1/records/{waiting}", headers=token_for("clerk")).json["filing"] is None


def test_the_demo_offices_filed_complaints_show_their_archival_codes(app: Flask, token_for) -> None:  # type: ignore[no-untyped-def]
    """``flask demo`` finishes two complaints; once the worker has rendered and filed them, each
    has its 档号, on its page and in the API, and the search finds them by it."""
    demo = app.test_cli_runner().invoke(args=["demo"])
    assert demo.exit_code == 0, demo.output
    [password] = re.findall(r"supervisor\s+supervisor\s+password: (\S+)", demo.output)
    for _ in range(3):  # the archival copies, the filing, the search entries it queued
        work_outbox(app)
    given = {code: text for code, text in archival_codes(app).items() if text}
    assert sorted(given.values()) == ["Q012-WS·2026-D3-KF-0001", "Q012-WS·2026-D3-KF-0002"]
    client = app.test_client()
    login(client, "supervisor", password)  # the demo gave it a fresh password
    for code, reference in given.items():
        page = client.get(f"/records/{code}", headers={"Accept-Language": "zh-CN"}).text
        assert reference.replace("-", "-<wbr>") in page and "定期3年" in page
        record = client.get(f"/api/v1/records/{code}", headers=token_for("supervisor")).json
        assert record["filing"]["archival_code"] == reference
    hits = client.get("/api/v1/search", query_string={"q": "Q012-WS·2026-D3-KF"},
                      headers=token_for("supervisor")).json["hits"]
    assert sorted(hit["code"] for hit in hits) == sorted(given)
