"""A returned record's filler sees the notice in the app at phone width (390 px), in Chinese
and English, in a real Chromium: the unread count in the header, the sentence with the record's
code linking to the record, marking it read; no sideways scrolling, no serious axe finding.
The settings page the same way (a wrong address named, then saved and shown again), and an
admin's page with an e-mail refused for good and one waiting for the server (the instance's
[smtp] is the tests' real SMTP server, stopped for the waiting one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.clock import FrozenClock
from core.notifications import notify
from core.notifications.models import NotificationPrefs
from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import PHONE, check, signed_in
from tests.support.notifications import PUBLIC_URL, set_prefs, user_id, work
from tests.support.smtp_server import SmtpServer

pytestmark = pytest.mark.browser


@pytest.fixture
def app(configured_app: Callable[..., Flask], clock: FrozenClock, smtp_server: SmtpServer) -> Flask:
    """The instance with the tests' real SMTP server as its [smtp] (nobody chose e-mail yet)."""
    return configured_app(clock, PUBLIC_URL=PUBLIC_URL, SMTP=smtp_server.config())


@pytest.mark.parametrize(("locale", "sentence", "mark_read", "heading"), [
    ("zh-CN", "已退回给您补充", "标为已读", "通知"),
    ("en", "was returned to you for completion", "Mark read", "Notifications"),
])
def test_the_filler_of_a_returned_record_sees_the_notice_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, sentence, mark_read, heading) -> None:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="缺少订单号")
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    link = page.locator("nav.main-nav a[href='/notifications']")
    expect(link.locator(".count")).to_have_text("1")
    link.click()
    expect(page.locator("h1")).to_have_text(heading)
    notice = page.locator("li.notification--unread")
    expect(notice).to_contain_text(f"{code} {sentence}")
    check(page, artifacts, f"notifications-{locale}")
    notice.get_by_role("button", name=mark_read).click()
    expect(page.locator("li.notification--unread")).to_have_count(0)
    expect(page.locator("nav.main-nav a[href='/notifications'] .count")).to_have_count(0)
    page.get_by_role("link", name=f"{code} {sentence}").click()
    expect(page).to_have_url(f"{live_server}/records/{code}")
    check(page, artifacts, f"notifications-record-{locale}")


@pytest.mark.parametrize(("locale", "words"), [
    ("zh-CN", {"settings": "通知设置", "email": "电子邮件地址", "language": "邮件语言",
               "event": "我填写的记录被退回补充", "digest": "每日一封摘要，而非每个事件一封邮件",
               "save": "保存", "bad": "请输入电子邮件地址，例如 name@example.com。",
               "saved": "您的通知设置已保存。"}),
    ("en", {"settings": "Notification settings", "email": "E-mail address",
            "language": "Language of e-mails", "event": "A record I filled returned to me for completion",
            "digest": "One daily digest instead of one e-mail per event", "save": "Save",
            "bad": "Enter an e-mail address such as name@example.com.",
            "saved": "Your notification settings were saved."}),
])
def test_the_settings_page_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, words) -> None:
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    page.goto(f"{live_server}/notifications")
    page.get_by_role("link", name=words["settings"]).click()
    expect(page.locator("h1")).to_have_text(words["settings"])
    check(page, artifacts, f"notification-settings-{locale}")
    offered = "zh" if locale == "zh-CN" else "en"  # before saving: the page's language
    expect(page.get_by_label(words["language"])).to_have_value(offered)

    page.get_by_label(words["email"]).fill("not an address")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("#email-error")).to_have_text(words["bad"])
    expect(page.get_by_label(words["email"])).to_have_attribute("aria-invalid", "true")
    check(page, artifacts, f"notification-settings-refused-{locale}")

    page.get_by_label(words["email"]).fill("clerk@office.test")
    page.get_by_label(words["event"]).check()
    page.get_by_label(words["digest"]).check()
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    expect(page.get_by_label(words["email"])).to_have_value("clerk@office.test")
    expect(page.get_by_label(words["event"])).to_be_checked()
    expect(page.get_by_label(words["digest"])).to_be_checked()
    check(page, artifacts, f"notification-settings-saved-{locale}")
    with app.app_context(), services().db.reading() as session:
        prefs = session.get(NotificationPrefs, user_id(app, "clerk"))
        assert (prefs.email, prefs.language, prefs.email_events, prefs.digest) == \
            ("clerk@office.test", offered, ["record.returned"], True)


@pytest.mark.parametrize(("locale", "refused", "waiting"), [
    ("zh-CN", "被邮件服务器拒收的邮件", "等待发送的邮件"),
    ("en", "E-mails refused by the mail server", "E-mails waiting to be sent"),
])
def test_an_admin_sees_refused_and_waiting_emails_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, smtp_server: SmtpServer, live_server, new_page, artifacts, locale, refused,
        waiting) -> None:
    set_prefs(app, "sales", email="bad-address-of-a-rather-long-name@office.test", events=["record.returned"])
    set_prefs(app, "clerk", email="clerk@office.test", events=["record.returned"])
    _tell(app, "sales", "CP-2026-000777")
    work(app, jobs=False)  # the server answers 550 for it: refused for good
    smtp_server.stop()
    _tell(app, "clerk", "CP-2026-000778")
    work(app, jobs=False)  # the server is down: kept, to be retried
    page = signed_in(new_page, live_server, "admin", locale, PHONE)
    page.goto(f"{live_server}/notifications")
    expect(page.get_by_role("heading", name=refused)).to_be_visible()
    expect(page.locator("main")).to_contain_text("bad-address-of-a-rather-long-name@office.test")
    expect(page.get_by_role("heading", name=waiting)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Connection refused")
    check(page, artifacts, f"notifications-admin-mail-{locale}")


def _tell(app: Flask, username: str, code: str) -> None:
    with app.app_context(), services().db.transaction() as session:
        notify(session, event="record.returned", recipients=[user_id(app, username)], record_code=code,
               at=services().clock.now(), key=f"returned|{code}")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_notices_time_is_not_broken_across_lines_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale) -> None:
    """With the sentence and the mark-read button beside it, '2026-12-06 12:32' broke after
    '2026-12-' on the walk's 390 px Chinese list."""
    uid = user_id(app, "supervisor")
    with app.app_context(), services().db.transaction() as session:
        for n in range(3):
            notify(session, event="deadline.overdue", recipients=[uid], record_code=f"CP-2026-00001{n}",
                   at=services().clock.now(), key=f"deadline.overdue|CP-2026-00001{n}|wrap")
    page = signed_in(new_page, live_server, "supervisor", locale, PHONE)
    page.goto(f"{live_server}/notifications")
    times = page.locator("li.notification time")
    expect(times).to_have_count(3)
    assert times.evaluate_all("els => els.map(e => e.getClientRects().length)") == [1, 1, 1]
    check(page, artifacts, f"notifications-times-{locale}")
