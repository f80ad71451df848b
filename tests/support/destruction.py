"""Destroying in a test as the office does: the list's two witnesses (监销人) named by the keeper
who executes, each confirming as themselves (archive.witnesses), before ``disposal.execute``."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from archive import witnesses
from core.web import services
from tests.support.instance import actor_of

#: Records-office users of the test instance who are not the usual executor (archivist).
WITNESSES = ("auditor", "admin")


def witness(app: Flask, list_id: int, *, by: str = "archivist",
            named: tuple[str, str] = WITNESSES) -> None:
    """``by`` names ``named`` as the witnesses of the approved list; each confirms."""
    with app.app_context():
        s = services()
        witnesses.name_witnesses(s.db, s.clock, actor_of(app, by), list_id, named)
        for username in named:
            witnesses.confirm(s.db, s.clock, actor_of(app, username), list_id)


#: The list page's words the browser helpers click, by page language.
WORDS = {"zh": {"first": "第一监销人", "second": "第二监销人", "name": "指定监销人", "confirm": "确认监销",
                "confirmed": "您的监销确认已记录。", "named": "监销人已指定"},
         "en": {"first": "First witness", "second": "Second witness", "name": "Name the witnesses",
                "confirm": "Confirm as witness", "confirmed": "Your confirmation as a witness is recorded.",
                "named": "Witnesses named"}}


def witnessed_in_browser(keeper: Page, list_url: str, witnesses_pages: dict[str, Page],
                         language: str = "zh") -> None:
    """On the list's page: ``keeper`` names the two witnesses (the keys of ``witnesses_pages``,
    in order), each witness confirms on their own signed-in page, and ``keeper``'s page is
    reloaded (its execute button is then offered)."""
    words = WORDS[language]
    first, second = witnesses_pages
    keeper.goto(list_url)
    keeper.get_by_label(words["first"], exact=True).select_option(first)
    keeper.get_by_label(words["second"], exact=True).select_option(second)
    keeper.get_by_role("button", name=words["name"]).click()
    expect(keeper.locator("[role=status]")).to_contain_text(words["named"])
    for page in witnesses_pages.values():
        page.goto(list_url)
        page.get_by_role("button", name=words["confirm"]).click()
        expect(page.locator("[role=status]")).to_have_text(words["confirmed"])
    keeper.reload()
