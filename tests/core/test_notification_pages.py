"""``/notifications``: each person sees only their own notifications, newest first, with a
link to the record and no personal data; the header counts the unread ones; marking read
needs the CSRF token and another person's notification is a 404; the settings form refuses
bad input with a message naming the field, in the page's language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.notifications import notify
from core.notifications.models import NotificationPrefs
from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of, csrf_token
from tests.support.notifications import notes_of, user_id

EVERYONE = ("admin", "archivist", "auditor", "supervisor", "clerk", "sales", "sales_boss")
COUNT = re.compile(r'href="/notifications">[^<]*(?:<span class="count"[^>]*>(\d+)</span>)?</a>')


def _returned(app: Flask) -> str:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="缺少订单号")
    return code


def _unread(page: str) -> int:
    match = COUNT.search(page)
    assert match, "no notifications link in the header"
    return int(match.group(1) or 0)


def test_only_the_recipient_sees_a_notification_and_its_count(
        app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    code = _returned(app)
    for username in EVERYONE:
        page = logged_in(username).get("/notifications", headers={"Accept-Language": "en"}).text
        mine = username == "clerk"
        assert (f'href="/records/{code}"' in page) is mine, username
        assert _unread(page) == (1 if mine else 0), username
        assert VALID_CP["customer_name"] not in page and VALID_CP["phone"] not in page
    zh = logged_in("clerk").get("/notifications", headers={"Accept-Language": "zh"}).text
    assert f"{code} 已退回给您补充" in zh


def test_marking_read_needs_csrf_and_another_persons_notification_is_404(
        app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    _returned(app)
    [note] = notes_of(app, "clerk")
    sales = logged_in("sales")
    token = csrf_token(sales.get("/notifications").text)
    assert sales.post(f"/notifications/{note.id}/read", data={"csrf_token": token}).status_code == 404
    assert sales.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert notes_of(app, "clerk")[0].read_at is None  # nobody else's marking reached it

    clerk = logged_in("clerk")
    assert clerk.post(f"/notifications/{note.id}/read").status_code == 400  # no token
    assert notes_of(app, "clerk")[0].read_at is None
    token = csrf_token(clerk.get("/notifications").text)
    assert clerk.post(f"/notifications/{note.id}/read", data={"csrf_token": token}).status_code == 302
    assert notes_of(app, "clerk")[0].read_at is not None
    assert _unread(clerk.get("/notifications").text) == 0


def test_the_list_is_newest_first_and_mark_all_read_clears_the_count(
        app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    uid = user_id(app, "clerk")
    with app.app_context():
        s = services()
        for n in range(3):
            with s.db.transaction() as session:
                notify(session, event="record.returned", recipients=[uid], record_code=f"CP-2026-00030{n}",
                       at=s.clock.now(), key=f"order|{n}")
    clerk = logged_in("clerk")
    page = clerk.get("/notifications", headers={"Accept-Language": "en"}).text
    positions = [page.index(f"CP-2026-00030{n}") for n in (2, 1, 0)]
    assert positions == sorted(positions) and _unread(page) == 3
    clerk.post("/notifications/read-all", data={"csrf_token": csrf_token(page)})
    assert _unread(clerk.get("/notifications").text) == 0


def test_settings_are_saved_and_bad_input_is_named(app: Flask,
                                                   logged_in: Callable[[str], FlaskClient]) -> None:
    clerk = logged_in("clerk")
    token = csrf_token(clerk.get("/notifications/settings").text)
    saved = clerk.post("/notifications/settings", data={
        "csrf_token": token, "email": "clerk@office.test", "language": "en",
        "events": ["record.returned", "deadline.overdue"], "digest": "y"})
    assert saved.status_code == 302
    with app.app_context(), services().db.reading() as session:
        prefs = session.get(NotificationPrefs, user_id(app, "clerk"))
        assert (prefs.email, prefs.language, prefs.email_events, prefs.digest) == \
            ("clerk@office.test", "en", ["deadline.overdue", "record.returned"], True)
    bad = clerk.post("/notifications/settings", headers={"Accept-Language": "en"},
                     data={"csrf_token": token, "email": "not an address", "language": "fr",
                           "events": ["record.deleted"]})
    assert bad.status_code == 422
    assert "Enter an e-mail address such as name@example.com." in bad.text
    assert "Not a valid choice" in bad.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=st.text(max_size=300), language=st.text(max_size=6),
       events=st.lists(st.text(max_size=30), max_size=4), digest=st.sampled_from(["", "y", "on", "x"]))
def test_any_settings_input_is_saved_clean_or_refused_never_a_500(
        app: Flask, logged_in: Callable[[str], FlaskClient], email: str, language: str,
        events: list[str], digest: str) -> None:
    clerk = logged_in("clerk")
    token = csrf_token(clerk.get("/notifications/settings").text)
    answer = clerk.post("/notifications/settings", data={"csrf_token": token, "email": email,
                                                         "language": language, "events": events,
                                                         "digest": digest})
    assert answer.status_code in (302, 422)
    with app.app_context(), services().db.reading() as session:
        prefs = session.scalar(select(NotificationPrefs).where(
            NotificationPrefs.user_id == user_id(app, "clerk")))
    if answer.status_code == 302:
        assert prefs.language in ("zh", "en") and set(prefs.email_events) <= set(events)
        assert prefs.email is None or ("@" in prefs.email and len(prefs.email) <= 254)


@pytest.mark.parametrize("path", ["/notifications", "/notifications/settings"])
def test_the_pages_ask_to_sign_in(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code in (302, 401)


def test_the_profile_page_links_to_the_settings(logged_in: Callable[[str], FlaskClient]) -> None:
    page = logged_in("clerk").get("/profile", headers={"Accept-Language": "zh"}).text
    assert 'href="/notifications/settings"' in page and "哪些通知发邮件给您" in page


@pytest.mark.parametrize(("language", "offered"), [("en", "en"), ("zh", "zh")])
def test_before_anything_is_saved_the_emails_language_offered_is_the_pages(
        logged_in: Callable[[str], FlaskClient], language: str, offered: str) -> None:
    page = logged_in("clerk").get("/notifications/settings", headers={"Accept-Language": language}).text
    assert re.search(rf'<option selected value="{offered}">', page), page


@pytest.mark.parametrize(("language", "label"), [("en", "A record I filled returned to me for completion"),
                                                 ("zh", "我填写的记录被退回补充")])
def test_the_settings_page_names_each_event_without_a_placeholder(
        logged_in: Callable[[str], FlaskClient], language: str, label: str) -> None:
    page = logged_in("clerk").get("/notifications/settings", headers={"Accept-Language": language}).text
    assert label in page and "%(" not in page and "%s" not in page
    assert page.count('name="events"') == 8  # every event can be chosen


def test_an_unread_notice_is_marked_new_in_the_pages_punctuation(
        app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    """The Chinese list said '新:' (an English colon after the translated word)."""
    _returned(app)
    clerk = logged_in("clerk")
    assert "<strong>新：</strong>" in clerk.get("/notifications", headers={"Accept-Language": "zh"}).text
    assert "<strong>New:</strong>" in clerk.get("/notifications", headers={"Accept-Language": "en"}).text


def test_opening_the_record_reads_its_notices_and_only_its_own(
        app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    """Following a notice to its record reads it: the header's count drops on that page; a
    notice about another record stays unread, and someone else opening the record reads none."""
    code, other = _returned(app), _returned(app)
    supervisor = logged_in("supervisor").get(f"/records/{code}").text
    assert _unread(supervisor) == 0
    assert _unread(logged_in("clerk").get("/notifications").text) == 2  # the supervisor read none
    page = logged_in("clerk").get(f"/records/{code}").text
    assert _unread(page) == 1
    unread = {note.record_code for note in notes_of(app, "clerk") if note.read_at is None}
    assert unread == {other}
    assert _unread(logged_in("clerk").get(f"/records/{code}").text) == 1  # again: nothing to write
