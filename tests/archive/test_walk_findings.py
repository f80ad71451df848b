"""Defects found by walking the served app as each role (issue 15): each test fails on the
defect as it was found."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("query", "zh", "en"), [
    ("r=zz&f=27d1b6df656cc504", "版次", "revision number (r=)"),
    ("r=2&f=<script>", "核验码", "fingerprint (f=)"),
])
def test_a_bad_verification_link_is_explained_in_the_readers_language(client, query, zh, en):  # type: ignore[no-untyped-def]
    """Whoever scans a damaged QR code reads why it cannot be checked: a Chinese page said it in
    English ("the revision number (r=) is missing or not a number")."""
    chinese = client.get(f"/verify/CP-2026-000002?{query}", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 400
    problem = chinese.text.split('<h2', 1)[1].split("</div>", 1)[0]
    assert zh in problem and " is " not in problem and " must " not in problem, problem
    english = client.get(f"/verify/CP-2026-000002?{query}", headers={"Accept-Language": "en"})
    assert english.status_code == 400 and en in english.text


def test_a_link_with_no_record_code_is_explained_in_chinese(client):  # type: ignore[no-untyped-def]
    chinese = client.get("/verify/XX-1?r=1&f=27d1b6df656cc504", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 400 and "不是档案编号" in chinese.text
