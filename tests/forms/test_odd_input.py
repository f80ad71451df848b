"""Odd input on the web pages gets a clear answer, never a 500."""

import pytest

from tests.support.instance import csrf_token


@pytest.mark.parametrize("path", [
    "/drafts/99999999999999999999", "/drafts/0", "/records/%00", "/records/" + "C" * 500,
    "/records?page=-1", "/records?page=abc&scope=<script>", "/forms/zz/new", "/forms/%E4%B8%AD/new",
    "/records/CP-2026-000001.pdf", "/admin/forms/CP/99999999999999999999/approve",
])
def test_odd_urls(logged_in, path):
    status = logged_in("admin").get(path).status_code
    assert status in (200, 302, 404, 405), (path, status)


@pytest.mark.parametrize("fields", [
    {"action": "add_row:__class__"}, {"action": "add_row:customer_name"}, {"action": "explode"},
    {"channel": ["phone", "visit"]}, {"quantity": "9" * 5000}, {"customer_name": "\x00控制字符"},
    {"received_at": "2026-03-02 25:99"}, {"delivery_date": "0000-00-00"},
    {"responsible_department": "<b>x</b>"},
])
def test_odd_form_posts(logged_in, fields):
    client = logged_in("clerk")
    page = client.get("/forms/CP/new")
    response = client.post("/forms/CP/new", data={"csrf_token": csrf_token(page.text), **fields})
    assert response.status_code in (200, 302, 422), response.status_code


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    page = client.get("/login")
    response = client.post("/language/xx", data={"csrf_token": csrf_token(page.text),
                                                 "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/forms"


def test_invalid_utf8_bytes_get_the_reload_page_not_a_crash(logged_in):
    """Werkzeug drops a form body that is not UTF-8, so the CSRF token is missing: 400."""
    client = logged_in("clerk")
    page = client.get("/forms/CP/new")
    body = f"csrf_token={csrf_token(page.text)}&action=submit&customer_name=".encode() + b"\xff\xfe"
    response = client.post("/forms/CP/new", data=body,
                           content_type="application/x-www-form-urlencoded",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Reload the page and submit again" in response.text


def test_control_characters_are_refused_by_web_and_api(logged_in, client, token_for):
    web = logged_in("clerk")
    page = web.get("/forms/CP/new", headers={"Accept-Language": "en"})
    response = web.post("/forms/CP/new", headers={"Accept-Language": "en"}, data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "客户\x00", "phone": "13800138000",
        "complaint": "第一行\n第二行"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text
    api = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": {
        "channel": "phone", "received_at": "2026-03-02T09:00:00+08:00", "customer_name": "客户",
        "phone": "13800138000", "complaint": "响\u0007铃"}})
    assert api.status_code == 422 and set(api.json["fields"]) == {"complaint"}
