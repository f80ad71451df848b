"""The profile page in each language names the role in words, not the stored key (walking issue
19 it said "角色 supervisor" in Chinese), and after a stamp is kept its kind stays chosen (it
went back to "handwritten signature", so the next upload of a stamp was filed as a signature)."""

from __future__ import annotations

import re

import pytest

from tests.support.profile_marks import stamp_png, upload


@pytest.mark.parametrize(("user", "language", "said"), [
    ("clerk", "zh-CN", "填写人"), ("supervisor", "zh-CN", "直接上级主管"),
    ("archivist", "zh-CN", "档案管理员"),
    ("auditor", "zh-CN", "审计员"), ("admin", "zh-CN", "系统管理员"), ("clerk", "en", "Staff member"),
    ("supervisor", "en", "Supervisor"), ("admin", "en", "Administrator")])
def test_the_role_is_named_in_the_pages_language(logged_in, user: str, language: str, said: str) -> None:  # type: ignore[no-untyped-def]
    page = logged_in(user).get("/profile", headers={"Accept-Language": language}).text
    role = re.search(r"<dt>(?:角色|Role)</dt><dd>([^<]*)</dd>", page)
    assert role is not None and role.group(1) == said, page[:2000]


def test_the_kept_images_kind_is_chosen_for_the_next_one(logged_in) -> None:  # type: ignore[no-untyped-def]
    client = logged_in("supervisor")
    assert upload(client, "stamp.png", stamp_png(), kind="stamp").status_code == 302
    page = client.get("/profile", headers={"Accept-Language": "en"}).text
    radios = re.findall(r'<input[^>]*name="kind"[^>]*>', page)
    chosen = [tag for tag in radios if "checked" in tag]
    assert len(radios) == 2 and len(chosen) == 1 and 'value="stamp"' in chosen[0], radios
