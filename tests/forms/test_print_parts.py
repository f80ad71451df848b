"""Printed copies: each part of a two-part form numbers its own pages, and the QR code leads
to where the app is served (issue 15, item 10). Read back with pdftotext and zbarimg."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.clock import FrozenClock
from tests.support.artifacts import ARTIFACTS
from tests.support.file_stores import rendition_path
from tests.support.instance import PASSWORD, csrf_token, make_app
from tests.support.pdf import qr_codes_on_pages, text_of
from tests.support.samples import RS_DATA


@pytest.fixture(autouse=True)
def real_clock_precision(clock: FrozenClock) -> None:
    """Frozen, but with the microseconds a real clock has (09:30:00.123456 in Shanghai)."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


def rs(client, headers, **changes) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "RS", "data": {**RS_DATA, **changes}})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def pdf_from(app, base_url: str, path: str) -> bytes:  # type: ignore[no-untyped-def]
    """``path`` as clerk, reaching the app at ``base_url`` (served under another host name)."""
    client = app.test_client()
    page = client.get("/login", base_url=base_url)
    form = {"csrf_token": csrf_token(page.text), "username": "clerk", "password": PASSWORD}
    assert client.post("/login", base_url=base_url, data=form).status_code == 302
    response = client.get(path, base_url=base_url)
    assert response.mimetype == "application/pdf"
    return response.data


def page_numbers(pdf: bytes) -> list[str]:
    """The "第 n 页，共 m 页" footer of every page, in order."""
    pages = [page for page in text_of(pdf).split("\f") if page.strip()]
    return [next(w for w in page.split("  ") if w.strip().startswith("第 ") and "页，共" in w).strip()
            for page in pages]


def test_each_part_of_a_two_part_copy_numbers_its_own_pages(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = rs(client, token_for("clerk"))
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    (ARTIFACTS / "rs-both-parts.pdf").write_bytes(pdf)
    assert page_numbers(pdf) == ["第 1 页，共 1 页", "第 1 页，共 1 页"]


def test_a_part_running_over_two_pages_counts_its_own_two(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = rs(client, token_for("clerk"), nonpayment_reason="资金周转困难，下月再联系。\n" * 60)
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    numbers = page_numbers(pdf)
    half = len(numbers) // 2
    assert half >= 2 and numbers[:half] == numbers[half:], numbers
    assert numbers[:half] == [f"第 {n} 页，共 {half} 页" for n in range(1, half + 1)]
    text = [page for page in text_of(pdf).split("\f") if page.strip()]
    assert "业务联（公司留存）" in text[0] and "客户联（交客户收执）" in text[half]


def test_the_qr_code_leads_where_the_page_was_served_unless_public_url_is_set(  # type: ignore[no-untyped-def]
        app, clock, client, token_for, tmp_path: Path):
    code = rs(client, token_for("clerk"), service_staff="clerk")
    pdf = pdf_from(app, "http://records.office.test", f"/records/{code}.pdf?variant=customer")
    [url] = qr_codes_on_pages(pdf, tmp_path / "served")
    assert url.startswith(f"http://records.office.test/verify/{code}?r=1&f="), url
    api = app.test_client().get(f"/api/v1/records/{code}/pdf", headers=token_for("clerk"),
                                base_url="http://10.0.0.7:8000")
    assert qr_codes_on_pages(api.data, tmp_path / "api")[0].startswith(f"http://10.0.0.7:8000/verify/{code}?")

    configured = make_app(app.config["DATABASE_URL"], clock, PUBLIC_URL="https://records.example.com")
    assert not app.config["PUBLIC_URL_SET"] and configured.config["PUBLIC_URL_SET"]
    pdf = pdf_from(configured, "http://records.office.test", f"/records/{code}.pdf?variant=customer")
    [url] = qr_codes_on_pages(pdf, tmp_path / "configured")
    assert url.startswith(f"https://records.example.com/verify/{code}?r=1&f="), url


def test_the_archival_copy_keeps_public_url_whoever_caused_it(app, client, token_for, tmp_path: Path):  # type: ignore[no-untyped-def]
    code = rs(client, token_for("clerk"))  # the archival copy is rendered by the worker, no request
    assert app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).exit_code == 0
    stored = rendition_path(app, code)
    urls = qr_codes_on_pages(stored.read_bytes(), tmp_path)
    assert urls and all(u.startswith(f"http://127.0.0.1:5000/verify/{code}?r=1&f=") for u in urls), urls


def test_on_the_system_clock_both_parts_number_their_pages_and_name_the_staff(app):  # type: ignore[no-untyped-def]
    from core.auth import accounts
    from core.clock import SystemClock
    from core.web import services

    real = make_app(app.config["DATABASE_URL"], SystemClock())
    with real.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "test")
    client = real.test_client()
    code = rs(client, {"Authorization": f"Bearer {token}"})  # today's code year, whatever today is
    pdf = client.get(f"/api/v1/records/{code}/pdf", headers={"Authorization": f"Bearer {token}"}).data
    assert page_numbers(pdf) == ["第 1 页，共 1 页", "第 1 页，共 1 页"]
    assert "Clerk" in text_of(pdf) and "clerk" not in text_of(pdf)
